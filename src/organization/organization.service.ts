import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal.js';
import { actorOf } from '../auth/principal.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { Clock } from '../platform/clock/clock.js';
import { badInput, conflict } from '../platform/errors/app-error.js';
import { decodeCursor, toConnection, type ConnectionShape } from '../platform/graphql/connection.js';
import { parseBin } from '../platform/identifiers/iin.js';
import { isUuid } from '../platform/identifiers/uuid.js';
import type { CreateOrganizationInput, OrganizationsArgs } from './dto/organization.input.js';
import type { Organization } from './dto/organization.model.js';

interface OrganizationRow {
  id: string;
  name: string;
  name_kk: string | null;
  name_ru: string | null;
  bin: string;
  locality: string;
  address: string | null;
  created_at: Date;
}

const toModel = (r: OrganizationRow): Organization => ({
  id: r.id,
  name: r.name,
  nameKk: r.name_kk ?? r.name,
  nameRu: r.name_ru ?? r.name,
  bin: r.bin,
  locality: r.locality,
  address: r.address,
  createdAt: r.created_at,
});

// SHIM (issue 14): re-export for files still being restructured; delete when no importer is left.

@Injectable()
export class OrganizationService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
  ) {}

  async create(input: CreateOrganizationInput, by: Principal): Promise<Organization> {
    const bin = parseBin(input.bin);
    if (!bin.ok) throw badInput('bin', bin.reason);
    return this.ds.transaction(async (em) => {
      const dup: unknown[] = await em.query(`SELECT 1 FROM organization WHERE bin = $1`, [input.bin]);
      if (dup.length) throw conflict('bin: an organization with this BIN already exists', 'bin');
      const now = this.clock.now();
      const rows: OrganizationRow[] = await em.query(
        `INSERT INTO organization (name, name_kk, name_ru, bin, locality, address, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING *`,
        [
          input.name.trim(),
          (input.nameKk ?? input.name).trim(),
          (input.nameRu ?? input.name).trim(),
          input.bin,
          input.locality,
          input.address ?? null,
          now,
        ],
      );
      await this.ledger.append(em, {
        type: 'organization.created',
        entity: 'organization',
        entityId: rows[0].id,
        actor: actorOf(by),
        at: now,
        data: { bin: input.bin, locality: input.locality },
      });
      return toModel(rows[0]);
    });
  }

  async get(id: string): Promise<Organization | null> {
    if (!isUuid(id)) return null;
    const rows: OrganizationRow[] = await this.ds.query(`SELECT * FROM organization WHERE id = $1`, [id]);
    return rows[0] ? toModel(rows[0]) : null;
  }

  async getMany(ids: readonly string[]): Promise<Map<string, Organization>> {
    const valid = ids.filter(isUuid);
    const rows: OrganizationRow[] = valid.length
      ? await this.ds.query(`SELECT * FROM organization WHERE id = ANY($1::uuid[])`, [valid])
      : [];
    return new Map(rows.map((r) => [r.id, toModel(r)]));
  }

  async list(args: OrganizationsArgs): Promise<ConnectionShape<Organization>> {
    const after = decodeCursor(args.after, 2);
    const params: unknown[] = [args.locality ?? null];
    let where = `($1::text IS NULL OR locality = $1)`;
    const total: { n: number }[] = await this.ds.query(`SELECT count(*)::int AS n FROM organization WHERE ${where}`, params);
    if (after) {
      params.push(after[0], after[1]);
      where += ` AND (created_at, id) > ($2::timestamptz, $3::uuid)`;
    }
    params.push(args.first + 1);
    const rows: OrganizationRow[] = await this.ds.query(
      `SELECT * FROM organization WHERE ${where} ORDER BY created_at, id LIMIT $${params.length}`,
      params,
    );
    return toConnection(rows, args.first, total[0].n, toModel, (r) => [r.created_at.toISOString(), r.id]);
  }
}
