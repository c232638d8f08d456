import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
  validateSync,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }): unknown =>
  value === '1' || value === 'true' ? true : value === '0' || value === 'false' || value === '' ? false : value;

export type Role = 'api' | 'worker' | 'all';

/** Every environment variable the service reads. Validated once at start; see README "Configuration". */
export class EnvConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt({ message: 'PORT must be an integer between 1 and 65535' })
  @Min(0, { message: 'PORT must be an integer between 1 and 65535' })
  @Max(65535, { message: 'PORT must be an integer between 1 and 65535' })
  PORT = 3000;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/[^\s]+$/, {
    message: 'DATABASE_URL must be a postgres:// or postgresql:// URL',
  })
  DATABASE_URL?: string;

  /** Read replica (hot standby) for the public reads that tolerate lag; unset: everything reads the primary. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/[^\s]+$/, {
    message: 'DATABASE_READ_URL must be a postgres:// or postgresql:// URL',
  })
  DATABASE_READ_URL?: string;

  @IsOptional()
  @Matches(/^rediss?:\/\/[^\s]+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @ValidateIf((c: EnvConfig) => c.NODE_ENV === 'production' || c.JWT_SECRET !== undefined)
  // Decorators apply bottom-up and the first failing constraint is reported: keep IsString last.
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  @IsString({ message: 'JWT_SECRET is required when NODE_ENV=production' })
  JWT_SECRET?: string;

  /** When set, local tokens must carry this `iss` (and `npm run token` signs it). */
  @IsOptional()
  @IsString()
  @MinLength(1)
  JWT_ISSUER?: string = undefined;

  /** When set, local tokens must carry this `aud` (and `npm run token` signs it). */
  @IsOptional()
  @IsString()
  @MinLength(1)
  JWT_AUDIENCE?: string = undefined;

  /** Longest lifetime of a local token (exp − iat); longer ones are refused, and so are tokens without exp. */
  @Transform(toInt)
  @IsInt({ message: 'JWT_MAX_LIFETIME_HOURS must be an integer between 1 and 720' })
  @Min(1, { message: 'JWT_MAX_LIFETIME_HOURS must be an integer between 1 and 720' })
  @Max(720, { message: 'JWT_MAX_LIFETIME_HOURS must be an integer between 1 and 720' })
  JWT_MAX_LIFETIME_HOURS = 24;

  /**
   * Internal port serving `/metrics` and `/health` (any role, workers included). When set, the public port
   * no longer serves `/metrics`.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'METRICS_PORT must be an integer between 1 and 65535' })
  @Min(0, { message: 'METRICS_PORT must be an integer between 1 and 65535' })
  @Max(65535, { message: 'METRICS_PORT must be an integer between 1 and 65535' })
  METRICS_PORT?: number = undefined;

  /** When set, `GET /metrics` on the public port needs `Authorization: Bearer $METRICS_TOKEN`. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string = undefined;

  /** Comma-separated exceptions a production-mode process accepts: simulation, sms-log, no-civil-registry. */
  @IsOptional()
  @Matches(/^\s*[a-z-]+(\s*,\s*[a-z-]+)*\s*$/, {
    message: 'ALLOW_IN_PRODUCTION must be a comma-separated list (simulation, sms-log, no-civil-registry)',
  })
  ALLOW_IN_PRODUCTION?: string = undefined;

  @Transform(toBool)
  @IsBoolean({ message: 'SIMULATION must be 0 or 1' })
  SIMULATION = false;

  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'SIMULATION_START must be an ISO-8601 date-time' })
  SIMULATION_START?: string;

  @IsOptional()
  @IsString()
  SMS_INBOUND_TOKEN?: string;

  @IsIn(['api', 'worker', 'all'], { message: 'ROLE must be one of api, worker, all' })
  ROLE: Role = 'all';

  @IsString()
  DATA_DIR = '.kezek';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Job namespace: Redis key prefix / PostgreSQL schema of the embedded job backend. */
  @Matches(/^[a-z][a-z0-9_]{0,40}$/, { message: 'JOBS_PREFIX must be lowercase letters, digits, _' })
  JOBS_PREFIX = 'kezek';

  /** Register the cluster-wide schedules (bulletin 09:00, expiry sweep, …) in worker processes. */
  @Transform(toBool)
  @IsBoolean()
  SCHEDULES = true;

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  MAX_BODY_BYTES = 100_000;

  /** Requests per client address per minute; 0 turns the limit off (when the ingress enforces one). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  RATE_LIMIT_PER_MINUTE = 600;

  /**
   * `statement_timeout` (ms) of the primary's connections in processes that serve the API (ROLE api or
   * all): no statement of a request holds a connection longer. 0: none.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  STATEMENT_TIMEOUT_MS = 15_000;

  /** `statement_timeout` (ms) of the primary's connections in ROLE=worker processes (allocation, sweeps, open data). 0: none. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  WORKER_STATEMENT_TIMEOUT_MS = 600_000;

  /**
   * Express `trust proxy`: which proxies in front may set X-Forwarded-For, so the rate limit counts
   * the client's address, not the balancer's. Unset: none (the header is ignored and cannot be used
   * to dodge the limit). A number of hops (`1`), or addresses/subnets (`loopback, 10.0.0.0/8`).
   */
  @IsOptional()
  @Matches(/^(\d{1,2}|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/, {
    message: 'TRUST_PROXY must be a number of hops (1) or a comma-separated list of addresses, subnets or loopback/linklocal/uniquelocal',
  })
  TRUST_PROXY?: string = undefined;

  /**
   * Origins whose browser pages may call /graphql (CORS), comma-separated: `https://app.example.kz, http://localhost:5173`.
   * Unset: none (same-origin pages and non-browser clients only). `*` (any origin) only outside production.
   */
  @IsOptional()
  @Matches(/^\s*(\*|https?:\/\/[^\s,/]+)\/?\s*(,\s*(\*|https?:\/\/[^\s,/]+)\/?\s*)*$/, {
    message: 'CORS_ORIGINS must be a comma-separated list of origins such as https://app.example.kz (scheme, host, optional port)',
  })
  CORS_ORIGINS?: string = undefined;

  @IsIn(['log', 'mobizon', 'http'])
  SMS_PROVIDER: 'log' | 'mobizon' | 'http' = 'log';

  // SMS delivery. Optional settings are initialised to `undefined` so that loadConfig picks them up.

  /** Mobizon API key (required when SMS_PROVIDER=mobizon). */
  @ValidateIf((c: EnvConfig) => c.SMS_PROVIDER === 'mobizon' || c.SMS_MOBIZON_API_KEY !== undefined)
  @IsString({ message: 'SMS_MOBIZON_API_KEY is required when SMS_PROVIDER=mobizon' })
  @MinLength(1, { message: 'SMS_MOBIZON_API_KEY is required when SMS_PROVIDER=mobizon' })
  SMS_MOBIZON_API_KEY?: string = undefined;

  /** Mobizon API server of the account's region. */
  @Matches(/^https?:\/\/[^\s/]+(:\d+)?\/?$/, { message: 'SMS_MOBIZON_URL must be an http(s) URL such as https://api.mobizon.kz' })
  SMS_MOBIZON_URL = 'https://api.mobizon.kz';

  /** Sender name (alphaname) registered with the provider; the provider's default when unset. */
  @IsOptional()
  @Matches(/^[\w .-]{1,11}$/, { message: 'SMS_SENDER must be 1 to 11 letters, digits, spaces, dots or dashes' })
  SMS_SENDER?: string = undefined;

  /** Generic HTTP provider endpoint (required when SMS_PROVIDER=http). */
  @ValidateIf((c: EnvConfig) => c.SMS_PROVIDER === 'http' || c.SMS_HTTP_URL !== undefined)
  @Matches(/^https?:\/\/\S+$/, { message: 'SMS_HTTP_URL must be an http(s) URL (required when SMS_PROVIDER=http)' })
  SMS_HTTP_URL?: string = undefined;

  /** Bearer token for the generic HTTP provider. */
  @IsOptional()
  @IsString()
  SMS_HTTP_TOKEN?: string = undefined;

  /** Timeout of one request to the SMS provider (any adapter), in milliseconds. */
  @Transform(toInt)
  @IsInt({ message: 'SMS_HTTP_TIMEOUT_MS must be an integer between 50 and 120000' })
  @Min(50, { message: 'SMS_HTTP_TIMEOUT_MS must be an integer between 50 and 120000' })
  @Max(120_000, { message: 'SMS_HTTP_TIMEOUT_MS must be an integer between 50 and 120000' })
  SMS_HTTP_TIMEOUT_MS = 5000;

  /** First retry delay of a failed text; doubles per attempt (capped at 10 minutes). */
  @Transform(toInt)
  @IsInt({ message: 'SMS_RETRY_BASE_MS must be an integer between 10 and 600000' })
  @Min(10, { message: 'SMS_RETRY_BASE_MS must be an integer between 10 and 600000' })
  @Max(600_000, { message: 'SMS_RETRY_BASE_MS must be an integer between 10 and 600000' })
  SMS_RETRY_BASE_MS = 1000;

  /**
   * Least delay before retrying a text whose previous attempt timed out: the provider may still be
   * processing that request, and the retry first asks the provider whether it was sent.
   */
  @Transform(toInt)
  @IsInt({ message: 'SMS_UNCERTAIN_RETRY_MS must be an integer between 0 and 3600000' })
  @Min(0, { message: 'SMS_UNCERTAIN_RETRY_MS must be an integer between 0 and 3600000' })
  @Max(3_600_000, { message: 'SMS_UNCERTAIN_RETRY_MS must be an integer between 0 and 3600000' })
  SMS_UNCERTAIN_RETRY_MS = 60_000;

  /** Attempts before a text that keeps failing is marked FAILED (about 2 hours with the defaults). */
  @Transform(toInt)
  @IsInt({ message: 'SMS_MAX_ATTEMPTS must be an integer between 1 and 100' })
  @Min(1, { message: 'SMS_MAX_ATTEMPTS must be an integer between 1 and 100' })
  @Max(100, { message: 'SMS_MAX_ATTEMPTS must be an integer between 1 and 100' })
  SMS_MAX_ATTEMPTS = 20;

  /**
   * Texts in flight at once per worker process (parallel claims, each `FOR UPDATE SKIP LOCKED`). Mind the
   * provider's rate limit: the cluster sends up to this × worker processes at a time.
   */
  @Transform(toInt)
  @IsInt({ message: 'SMS_CONCURRENCY must be an integer between 1 and 64' })
  @Min(1, { message: 'SMS_CONCURRENCY must be an integer between 1 and 64' })
  @Max(64, { message: 'SMS_CONCURRENCY must be an integer between 1 and 64' })
  SMS_CONCURRENCY = 4;

  /** Key of the open-data pseudonyms (docs/OPEN_DATA.md); derived from JWT_SECRET when unset. Keep it secret and unchanged. */
  @IsOptional()
  @MinLength(16, { message: 'OPEN_DATA_SALT must be at least 16 characters' })
  @IsString()
  OPEN_DATA_SALT?: string = undefined;

  /** When set, the daily open-data files are also written to OPEN_DATA_DIR/<date>/ (relative to DATA_DIR). */
  @IsOptional()
  @IsString()
  @MinLength(1)
  OPEN_DATA_DIR?: string = undefined;

  /**
   * Ed25519 private key (PKCS#8 PEM file) that signs the ledger's tree heads. Required when NODE_ENV=production;
   * otherwise generated once into DATA_DIR/ledger-signing-key.pem. Keep it out of the database.
   */
  @ValidateIf((c: EnvConfig) => c.NODE_ENV === 'production' || c.LEDGER_SIGNING_KEY !== undefined)
  @MinLength(1, { message: 'LEDGER_SIGNING_KEY must be the path of a PKCS#8 PEM Ed25519 key file' })
  @IsString({ message: 'LEDGER_SIGNING_KEY (an Ed25519 PKCS#8 PEM key file) is required when NODE_ENV=production' })
  LEDGER_SIGNING_KEY?: string = undefined;

  /**
   * OpenID Connect issuer whose RS256/ES256 tokens are accepted beside the local ones (README "Identity"); keys by
   * discovery at `{issuer}/.well-known/openid-configuration`. https when NODE_ENV=production. Needs OIDC_AUDIENCE.
   */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'OIDC_ISSUER must be an http(s) URL' })
  OIDC_ISSUER?: string = undefined;

  /** The `aud` that tokens of OIDC_ISSUER must carry (Kezek's client id at the issuer). */
  @ValidateIf((c: EnvConfig) => c.OIDC_ISSUER !== undefined || c.OIDC_AUDIENCE !== undefined)
  @MinLength(1, { message: 'OIDC_AUDIENCE is required when OIDC_ISSUER is set' })
  @IsString({ message: 'OIDC_AUDIENCE is required when OIDC_ISSUER is set' })
  OIDC_AUDIENCE?: string = undefined;

  /** Claim mapping of OIDC tokens as JSON: `{"role":"kezek_role","iin":"iin","organizationId":"org","roleValues":{"kezek-admin":"ADMIN"}}`. */
  @IsOptional()
  @IsString()
  OIDC_CLAIMS?: string = undefined;

  /** Least time between two fetches of the issuer's key set (a token naming an unknown key makes one). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  OIDC_JWKS_COOLDOWN_SECONDS = 30;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(new EnvConfig())) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  for (const key of ['DATABASE_URL', 'DATABASE_READ_URL', 'REDIS_URL', 'JWT_SECRET', 'SIMULATION_START', 'SMS_INBOUND_TOKEN']) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  if (raw.NODE_ENV === 'production' && (raw.CORS_ORIGINS ?? '').split(',').some((o) => o.trim() === '*')) {
    throw new ConfigError(
      'Invalid configuration: CORS_ORIGINS must list the allowed origins; * (any origin) is refused when NODE_ENV=production',
    );
  }
  const config = plainToInstance(EnvConfig, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: false });
  if (errors.length > 0) {
    const first = errors[0];
    const msg = Object.values(first.constraints ?? {})[0] ?? `${first.property} is invalid`;
    throw new ConfigError(`Invalid configuration: ${msg}`);
  }
  for (const key of ['DATABASE_URL', 'DATABASE_READ_URL'] as const) {
    const url = config[key];
    if (!url) continue;
    try {
      const u = new URL(url);
      if (!u.hostname) throw new Error('no host');
    } catch {
      throw new ConfigError(`Invalid configuration: ${key} must be a postgres:// or postgresql:// URL`);
    }
  }
  checkProductionGuards(config);
  checkOidc(config);
  return config;
}

/** OIDC_ISSUER over https in production, and only together with OIDC_AUDIENCE. */
function checkOidc(config: EnvConfig): void {
  if (config.OIDC_AUDIENCE !== undefined && config.OIDC_ISSUER === undefined) {
    throw new ConfigError('Invalid configuration: OIDC_AUDIENCE is set but OIDC_ISSUER is not');
  }
  if (config.NODE_ENV === 'production' && config.OIDC_ISSUER?.startsWith('http://')) {
    throw new ConfigError('Invalid configuration: OIDC_ISSUER must be an https URL when NODE_ENV=production');
  }
  // OIDC_CLAIMS is checked where it is read (src/auth/auth.module.ts) when the API starts.
}

/** Names `ALLOW_IN_PRODUCTION` accepts (API.md "Additions"). */
export const PRODUCTION_EXCEPTIONS = ['simulation', 'sms-log', 'no-civil-registry'] as const;
export type ProductionException = (typeof PRODUCTION_EXCEPTIONS)[number];

/** The exceptions ALLOW_IN_PRODUCTION names (throws ConfigError on an unknown name). */
export function allowedInProduction(config: Pick<EnvConfig, 'ALLOW_IN_PRODUCTION'>): Set<ProductionException> {
  const names = (config.ALLOW_IN_PRODUCTION ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!(PRODUCTION_EXCEPTIONS as readonly string[]).includes(n)) {
      throw new ConfigError(`Invalid configuration: ALLOW_IN_PRODUCTION names ${n}; known: ${PRODUCTION_EXCEPTIONS.join(', ')}`);
    }
  }
  return new Set(names as ProductionException[]);
}

/** Settings meant for development that a production-mode process refuses unless ALLOW_IN_PRODUCTION names them. */
function checkProductionGuards(config: EnvConfig): void {
  const allowed = allowedInProduction(config);
  if (config.NODE_ENV !== 'production') return;
  if (config.SIMULATION && !allowed.has('simulation')) {
    throw new ConfigError(
      'Invalid configuration: SIMULATION=1 is refused when NODE_ENV=production (ALLOW_IN_PRODUCTION=simulation allows it)',
    );
  }
  if (config.SMS_PROVIDER === 'log' && !allowed.has('sms-log')) {
    throw new ConfigError(
      'Invalid configuration: SMS_PROVIDER=log is refused when NODE_ENV=production (set SMS_PROVIDER=mobizon or http; ALLOW_IN_PRODUCTION=sms-log allows it)',
    );
  }
}

export const ENV_CONFIG = Symbol('ENV_CONFIG');
