import { SetMetadata } from '@nestjs/common';
import type { Role } from './principal.js';

export const ACCESS_KEY = 'kezek:access';
/** 'public' = anyone, including anonymous callers; otherwise the roles allowed. */
export type AccessRule = 'public' | readonly Role[];

/** Every resolver method must carry one of these; the guard denies anything without a rule. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(ACCESS_KEY, 'public');
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ACCESS_KEY, roles);
