// Sign-in with the stage's Cognito user pool, with fetch alone: InitiateAuth with
// USER_PASSWORD_AUTH (over TLS), the TOTP challenge the pool requires, and refreshing.
import { ApiError, requestJson } from "./api.js";

const STORAGE_KEY = "shop.session";

function claimsOf(token) {
  const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(part), (char) => char.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

export function createAuth(config) {
  let pending = null; // {session, username, challenge} while a challenge is open
  const listeners = new Set();

  const call = async (action, body) => {
    try {
      return await requestJson(
        config.cognitoEndpoint,
        {
          method: "POST",
          headers: {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
          },
          body: JSON.stringify({ ClientId: config.userPoolClientId, ...body }),
        },
        "The sign-in service",
      );
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) {
        throw new ApiError(error.message.replace(/ \(HTTP 400\)$/, ""), 400);
      }
      throw error;
    }
  };
  const load = () => JSON.parse(sessionStorage.getItem(STORAGE_KEY) || "null");
  const save = (result, username) => {
    const previous = load() || {};
    const session = {
      username,
      idToken: result.IdToken,
      refreshToken: result.RefreshToken || previous.refreshToken,
      expiresAt: claimsOf(result.IdToken).exp * 1000,
    };
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    listeners.forEach((listener) => listener());
    return { signedIn: true };
  };
  const settle = (result, username) => {
    if (result.AuthenticationResult) return save(result.AuthenticationResult, username);
    if (result.ChallengeName === "SOFTWARE_TOKEN_MFA") {
      pending = { session: result.Session, username, challenge: result.ChallengeName };
      return { challenge: "mfa" };
    }
    pending = null;
    throw new ApiError(
      result.ChallengeName === "NEW_PASSWORD_REQUIRED" || result.ChallengeName === "MFA_SETUP"
        ? "Your account needs its first-time set-up (new password, authenticator app) before you can sign in here."
        : `Sign-in needs a step this page does not support (${result.ChallengeName}).`,
    );
  };

  return {
    onChange: (listener) => listeners.add(listener),
    username: () => (load() || {}).username || null,
    /** {signedIn: true}, or {challenge: "mfa"} when the pool asks for an authenticator code. */
    signIn: async (username, password) =>
      settle(
        await call("InitiateAuth", {
          AuthFlow: "USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: username, PASSWORD: password },
        }),
        username,
      ),
    answerMfa: async (code) => {
      if (!pending) throw new ApiError("Start signing in again: the code request has expired.");
      const { session, username, challenge } = pending;
      return settle(
        await call("RespondToAuthChallenge", {
          ChallengeName: challenge,
          Session: session,
          ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code },
        }),
        username,
      );
    },
    signOut: () => {
      sessionStorage.removeItem(STORAGE_KEY);
      listeners.forEach((listener) => listener());
    },
    /** A valid ID token (refreshed when it is about to expire), or null when signed out. */
    idToken: async () => {
      const session = load();
      if (!session) return null;
      if (session.expiresAt - Date.now() > 60_000) return session.idToken;
      if (!session.refreshToken) return null;
      try {
        const result = await call("InitiateAuth", {
          AuthFlow: "REFRESH_TOKEN_AUTH",
          AuthParameters: { REFRESH_TOKEN: session.refreshToken },
        });
        save(result.AuthenticationResult, session.username);
        return result.AuthenticationResult.IdToken;
      } catch {
        sessionStorage.removeItem(STORAGE_KEY);
        return null;
      }
    },
  };
}
