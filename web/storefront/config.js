// The page's settings, from the config.json written at deployment (or by the local backend).
const REQUIRED = ["apiUrl", "region", "userPoolClientId"];

export async function loadConfig() {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json could not be read (HTTP ${response.status})`);
  const config = await response.json();
  const missing = REQUIRED.filter((name) => !config[name]);
  if (missing.length) throw new Error(`config.json lacks ${missing.join(", ")}`);
  return {
    ...config,
    apiUrl: config.apiUrl.endsWith("/") ? config.apiUrl : `${config.apiUrl}/`,
    cognitoEndpoint: config.cognitoEndpoint || `https://cognito-idp.${config.region}.amazonaws.com/`,
    // The identity pool's and Kinesis' endpoints (the local backend points them at itself).
    identityEndpoint: config.identityEndpoint || `https://cognito-identity.${config.region}.amazonaws.com/`,
    kinesisEndpoint: config.kinesisEndpoint || `https://kinesis.${config.region}.amazonaws.com/`,
    guestEvents: config.guestEvents === true || config.guestEvents === "true",
    pageSize: Number(config.pageSize) || 8,
  };
}
