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

  @IsOptional()
  @Matches(/^rediss?:\/\/[^\s]+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @ValidateIf((c: EnvConfig) => c.NODE_ENV === 'production' || c.JWT_SECRET !== undefined)
  @IsString({ message: 'JWT_SECRET is required when NODE_ENV=production' })
  @MinLength(16, { message: 'JWT_SECRET must be at least 16 characters' })
  JWT_SECRET?: string;

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

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE = 600;

  @IsIn(['log', 'mobizon', 'http'])
  SMS_PROVIDER: 'log' | 'mobizon' | 'http' = 'log';
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): EnvConfig {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(new EnvConfig())) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'SIMULATION_START', 'SMS_INBOUND_TOKEN']) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const config = plainToInstance(EnvConfig, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: false });
  if (errors.length > 0) {
    const first = errors[0];
    const msg = Object.values(first.constraints ?? {})[0] ?? `${first.property} is invalid`;
    throw new ConfigError(`Invalid configuration: ${msg}`);
  }
  if (config.DATABASE_URL) {
    try {
      const u = new URL(config.DATABASE_URL);
      if (!u.hostname) throw new Error('no host');
    } catch {
      throw new ConfigError('Invalid configuration: DATABASE_URL must be a postgres:// or postgresql:// URL');
    }
  }
  return config;
}

export const ENV_CONFIG = Symbol('ENV_CONFIG');
