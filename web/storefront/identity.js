// Temporary AWS credentials from the stage's Cognito identity pool, with fetch alone:
// GetId and GetCredentialsForIdentity (plain JSON calls, unsigned), trading the signed-in
// shopper's ID token for the role its user-pool group maps to, or, where the stage lets
// guests in, a visitor's guest credentials. Cached until a minute before they expire.
const GUEST_KEY = "shop.guestIdentity"; // a guest keeps its identity: no new one per page

export function createIdentity(config, auth) {
  const provider = `cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`;
  let cached = null; // {who, credentials}
  const identities = new Map(); // who -> IdentityId

  const call = async (action, body) => {
    const response = await fetch(config.identityEndpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AWSCognitoIdentityService.${action}`,
      },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${action} failed (HTTP ${response.status})`);
    return response.json();
  };

  const exchange = async (who, logins) => {
    let identityId = identities.get(who) || (logins ? null : localStorage.getItem(GUEST_KEY));
    if (!identityId) {
      identityId = (await call("GetId", { IdentityPoolId: config.identityPoolId, ...logins })).IdentityId;
    }
    identities.set(who, identityId);
    if (!logins) localStorage.setItem(GUEST_KEY, identityId);
    const { Credentials: c } = await call("GetCredentialsForIdentity", { IdentityId: identityId, ...logins });
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretKey,
      sessionToken: c.SessionToken,
      expiresAt: Number(c.Expiration) * 1000, // seconds since the epoch
    };
  };

  return {
    /** Whether this page may get credentials: a signed-in shopper, or guests allowed. */
    available: () => Boolean(config.identityPoolId) && (Boolean(auth.username()) || config.guestEvents),
    /** Credentials for whoever uses the page now; null when it may have none. */
    async credentials() {
      const token = auth.username() ? await auth.idToken().catch(() => null) : null;
      if (!token && !config.guestEvents) return null;
      const who = token ? `user:${auth.username()}` : "guest";
      if (cached && cached.who === who && cached.credentials.expiresAt - Date.now() > 60_000) {
        return cached.credentials;
      }
      const credentials = await exchange(who, token ? { Logins: { [provider]: token } } : null);
      cached = { who, credentials };
      return credentials;
    },
    /** The last credentials fetched, without waiting (pagehide cannot wait). */
    current: () => (cached && cached.credentials.expiresAt > Date.now() ? cached.credentials : null),
  };
}
