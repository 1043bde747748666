export { User, USER_STATUSES, type Profile, type UserStatus } from './User.js';
export { UserEmail } from './UserEmail.js';
export { Session } from './Session.js';
export { AccountPurge } from './AccountPurge.js';
export { EmailToken, EMAIL_TOKEN_KINDS, type EmailTokenKind } from './EmailToken.js';
export { MailOutbox } from './MailOutbox.js';
export { AccountStatusChange } from './AccountStatusChange.js';
