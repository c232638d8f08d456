import { Foundation1764000000000 } from './1764000000000-foundation.js';
import { Queue1764000000001 } from './1764000000001-queue.js';
import { NotificationDelivery1764000000060 } from './1764000000060-notification-delivery.js';

/** Explicit, ordered list (no glob loading: works the same from dist/ and under jest). */
export const MIGRATIONS = [Foundation1764000000000, Queue1764000000001, NotificationDelivery1764000000060];
