import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ConfigError, ENV_CONFIG, type EnvConfig } from '../platform/config/config.js';
import { AuthGuard } from './auth.guard.js';
import { AuthMiddleware } from './auth.middleware.js';
import { OIDC_VERIFIER, OidcVerifier, parseClaimMap } from './oidc.js';

/** OIDC_ISSUER set: the verifier of its tokens; otherwise null (local tokens only). */
function oidcVerifier(config: EnvConfig): OidcVerifier | null {
  if (!config.OIDC_ISSUER || !config.OIDC_AUDIENCE) return null;
  let claims;
  try {
    claims = parseClaimMap(config.OIDC_CLAIMS);
  } catch (e) {
    throw new ConfigError(`Invalid configuration: ${(e as Error).message}`);
  }
  return new OidcVerifier({
    issuer: config.OIDC_ISSUER,
    audience: config.OIDC_AUDIENCE,
    claims,
    jwksCooldownSeconds: config.OIDC_JWKS_COOLDOWN_SECONDS,
  });
}

@Module({
  providers: [
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: OIDC_VERIFIER, useFactory: oidcVerifier, inject: [ENV_CONFIG] },
    AuthMiddleware,
  ],
})
export class AuthModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuthMiddleware).forRoutes('*path');
  }
}
