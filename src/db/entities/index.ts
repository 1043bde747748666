export { User, USER_STATUSES, type Profile, type UserStatus } from './User.js';
export { UserEmail } from './UserEmail.js';
export { Session } from './Session.js';
export { AccountPurge } from './AccountPurge.js';
