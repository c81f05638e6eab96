/**
 * OIDC login against the customs identity provider (统一身份认证): authorization code flow with PKCE
 * (S256), state and nonce, through openid-client. The provider is discovered at the first login (the
 * cloud starts even when the IdP is down; a failed discovery is retried at the next login). What the
 * browser must bring back (state → verifier, nonce, where to return, a user to link) waits in the SQL
 * store for ten minutes and is used once, so any replica can finish a login another one started.
 */
import * as client from 'openid-client';
import type { Logger } from 'pino';
import { QuaysideError } from '../../shared/errors.js';
import type { OidcConfig } from '../config/schema.js';
import type { ConsoleDb } from './db.js';

const PENDING_TTL_MS = 10 * 60 * 1000;

export interface OidcClaims {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean | null;
  name: string | null;
}

export interface OidcOutcome {
  claims: OidcClaims;
  returnTo: string;
  linkUserId: string | null;
}

/** Only a path on this site (no scheme, no host, no `//`), so a login cannot redirect elsewhere. */
export function safeReturnTo(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || value.length > 500) return fallback;
  if (!/^\/(?![/\\])/.test(value) || /[\r\n]/.test(value)) return fallback;
  return value;
}

export class OidcLogin {
  private config: Promise<client.Configuration> | null = null;

  constructor(
    private readonly cfg: OidcConfig,
    private readonly db: ConsoleDb,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  get label(): string {
    return this.cfg.label;
  }

  get postLoginRedirect(): string {
    return this.cfg.postLoginRedirect;
  }

  get unknownSubject(): 'pending' | 'email' {
    return this.cfg.unknownSubject;
  }

  private discover(): Promise<client.Configuration> {
    if (!this.config) {
      const options: client.DiscoveryRequestOptions = { timeout: 10 };
      if (this.cfg.allowHttp && this.cfg.issuer.startsWith('http://')) options.execute = [client.allowInsecureRequests];
      this.config = client.discovery(new URL(this.cfg.issuer), this.cfg.clientId, this.cfg.clientSecret, undefined, options).catch((e: unknown) => {
        this.config = null; // try again next time
        this.log.warn({ code: 'CLOUD_AUTH_OIDC', issuer: this.cfg.issuer, err: (e as Error).message }, 'OIDC discovery failed');
        throw new QuaysideError('CLOUD_AUTH_OIDC', `discovery of ${this.cfg.issuer} failed: ${(e as Error).message}`, { cause: e });
      });
    }
    return this.config;
  }

  /** The IdP's authorization URL for a new login (or for linking `linkUserId`'s account). */
  async start(opts: { returnTo: string; linkUserId: string | null }): Promise<URL> {
    const config = await this.discover();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const now = this.now();
    await this.db.insertInto('oidc_pending').values({ state, verifier, nonce, return_to: opts.returnTo, link_user_id: opts.linkUserId, created_at: now, expires_at: now + PENDING_TTL_MS }).execute();
    return client.buildAuthorizationUrl(config, {
      redirect_uri: this.cfg.redirectUri,
      scope: this.cfg.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
  }

  /** Finishes a login from the callback's query string: code exchange (with the PKCE verifier), ID token and userinfo checks. */
  async finish(query: URLSearchParams): Promise<OidcOutcome> {
    const state = query.get('state');
    if (!state) throw new QuaysideError('CLOUD_AUTH_OIDC', 'callback without state');
    // Used once: deleted before the exchange, whatever its outcome.
    const pending = await this.db.selectFrom('oidc_pending').selectAll().where('state', '=', state).executeTakeFirst();
    await this.db.deleteFrom('oidc_pending').where('state', '=', state).execute();
    if (!pending || Number(pending.expires_at) <= this.now()) throw new QuaysideError('CLOUD_AUTH_OIDC', 'unknown or expired login state');
    const idpError = query.get('error');
    if (idpError) throw new QuaysideError('CLOUD_AUTH_OIDC', `the identity provider answered ${idpError}: ${query.get('error_description') ?? ''}`.trim());
    const config = await this.discover();
    const current = new URL(this.cfg.redirectUri);
    current.search = query.toString();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: pending.verifier, expectedState: state, expectedNonce: pending.nonce, idTokenExpected: true });
    } catch (e) {
      throw new QuaysideError('CLOUD_AUTH_OIDC', `code exchange failed: ${(e as Error).message}`, { cause: e });
    }
    const id = tokens.claims();
    if (!id) throw new QuaysideError('CLOUD_AUTH_OIDC', 'no ID token');
    let info: client.UserInfoResponse | null = null;
    try {
      info = await client.fetchUserInfo(config, tokens.access_token, id.sub);
    } catch (e) {
      this.log.warn({ code: 'CLOUD_AUTH_OIDC', err: (e as Error).message }, 'userinfo failed; using the ID token claims only');
    }
    const pick = (k: string): unknown => (info && info[k] !== undefined ? info[k] : id[k]);
    const email = pick('email');
    const verified = pick('email_verified');
    const name = pick('name');
    return {
      claims: {
        issuer: id.iss,
        subject: id.sub,
        email: typeof email === 'string' ? email.toLowerCase() : null,
        emailVerified: typeof verified === 'boolean' ? verified : null,
        name: typeof name === 'string' ? name : null,
      },
      returnTo: pending.return_to,
      linkUserId: pending.link_user_id,
    };
  }
}
