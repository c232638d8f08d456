export const DATABASE_URL = Symbol('DATABASE_URL');
export const JWT_SECRET = Symbol('JWT_SECRET');
