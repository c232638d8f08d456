import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger as an RFC 9162 Merkle tree with signed heads (src/ledger/ledger-tree.service.ts), and the
 * ledger tables append-only in the database:
 * - `ledger_tree_node`: every complete subtree (level, idx) once, written by the sealer; level 0 rows are the
 *   leaves and carry the event's seq (leaf idx = position of the event in seq order);
 * - `ledger_tree_head`: every signed tree head (Ed25519 over `kezek-tree-head-v1\n{size}\n{root}\n{timestamp}`);
 * - `ledger_key`: public keys (SPKI PEM) that sign heads; a key is valid until the next one's valid_from
 *   (no UPDATE needed to rotate); the private key is only in the LEDGER_SIGNING_KEY file;
 * - `bulletin_publication.signed_head`: the signed head a bulletin was published under.
 * Triggers refuse UPDATE, DELETE and TRUNCATE on ledger_event, ledger_block, ledger_tree_node,
 * ledger_tree_head and ledger_key. One UPDATE stays allowed: the sealer marking an unsealed event with its
 * block (`block_seq` from NULL to a value, every other column unchanged). Someone with full database
 * access can still disable the triggers: what catches that is the signed heads kept outside (witnesses).
 */
export class SignedLedger1764000000150 implements MigrationInterface {
  name = 'SignedLedger1764000000150';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ledger_tree_node (
        level smallint NOT NULL,
        idx bigint NOT NULL,
        hash char(64) NOT NULL,
        seq bigint,
        PRIMARY KEY (level, idx),
        CHECK ((level = 0) = (seq IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_ledger_tree_leaf_seq ON ledger_tree_node (seq) WHERE level = 0`);
    await q.query(`
      CREATE TABLE ledger_key (
        key_id text PRIMARY KEY,
        algorithm text NOT NULL,
        public_key text NOT NULL,
        valid_from timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE ledger_tree_head (
        id bigserial PRIMARY KEY,
        tree_size bigint NOT NULL,
        root_hash char(64) NOT NULL,
        signed_at timestamptz NOT NULL,
        key_id text NOT NULL REFERENCES ledger_key (key_id),
        signature text NOT NULL
      )`);
    await q.query(`CREATE INDEX ix_ledger_tree_head_size ON ledger_tree_head (tree_size, id)`);
    await q.query(`ALTER TABLE bulletin_publication ADD COLUMN signed_head jsonb`);
    await q.query(`
      CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'ledger_event' THEN
          IF OLD.block_seq IS NULL AND NEW.block_seq IS NOT NULL
             AND (NEW.seq, NEW.tx, NEW.at, NEW.type, NEW.entity, NEW.entity_id, NEW.actor, NEW.data, NEW.hash)
                 IS NOT DISTINCT FROM (OLD.seq, OLD.tx, OLD.at, OLD.type, OLD.entity, OLD.entity_id, OLD.actor, OLD.data, OLD.hash) THEN
            RETURN NEW;
          END IF;
        END IF;
        RAISE EXCEPTION 'ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const t of ['ledger_event', 'ledger_block', 'ledger_tree_node', 'ledger_tree_head', 'ledger_key']) {
      await q.query(`CREATE TRIGGER ${t}_append_only BEFORE UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION ledger_append_only()`);
      await q.query(`CREATE TRIGGER ${t}_no_truncate BEFORE TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['ledger_event', 'ledger_block']) {
      await q.query(`DROP TRIGGER IF EXISTS ${t}_append_only ON ${t}`);
      await q.query(`DROP TRIGGER IF EXISTS ${t}_no_truncate ON ${t}`);
    }
    await q.query(`ALTER TABLE bulletin_publication DROP COLUMN IF EXISTS signed_head`);
    await q.query(`DROP TABLE IF EXISTS ledger_tree_head`);
    await q.query(`DROP TABLE IF EXISTS ledger_key`);
    await q.query(`DROP TABLE IF EXISTS ledger_tree_node`);
    await q.query(`DROP FUNCTION IF EXISTS ledger_append_only()`);
  }
}
