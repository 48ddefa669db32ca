import type { Kysely, Migration } from 'kysely';

/**
 * Single sign-on. `account_identities` links a provider's (issuer, subject) to a Frontline account; a row with no
 * user_id is someone who signed in with the provider and waits for an admin to give them a role. `oidc_logins`
 * holds each sign-in in flight (state, nonce, PKCE verifier) for at most ten minutes, keyed by the hash of a random
 * value kept in that browser's cookie, and is deleted when the callback uses it.
 */
export function accountIdentities(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('account_identities')
        .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
        .addColumn('issuer', 'varchar(300)', (c) => c.notNull())
        .addColumn('subject', 'varchar(255)', (c) => c.notNull())
        .addColumn('user_id', 'varchar(32)')
        .addColumn('role_from_claims', 'integer', (c) => c.notNull())
        .addColumn('display_name', 'varchar(200)', (c) => c.notNull())
        .addColumn('email', 'varchar(320)')
        .addColumn('suggested_username', 'varchar(64)', (c) => c.notNull())
        .addColumn('claims', 'text', (c) => c.notNull())
        .addColumn('waiting_reason', 'varchar(300)')
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('last_login_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('account_identities_issuer_subject').on('account_identities').columns(['issuer', 'subject']).unique().execute();
      await db.schema.createIndex('account_identities_user').on('account_identities').column('user_id').execute();

      await db.schema
        .createTable('oidc_logins')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('state', 'varchar(100)', (c) => c.notNull())
        .addColumn('nonce', 'varchar(100)', (c) => c.notNull())
        .addColumn('code_verifier', 'varchar(200)', (c) => c.notNull())
        .addColumn('redirect_uri', 'varchar(500)', (c) => c.notNull())
        .addColumn('return_to', 'varchar(300)', (c) => c.notNull())
        .addColumn('ip', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('expires_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('oidc_logins_ip').on('oidc_logins').columns(['ip', 'created_ms']).execute();
      await db.schema.createIndex('oidc_logins_expires').on('oidc_logins').column('expires_ms').execute();
    },
  };
}
