// A mock EHR for the SMART App Launch tests (issue #15), written for them: Node's http and `jose`,
// on 127.0.0.1 with a free port, no network. It plays the EHR's authorization server and FHIR base:
//   GET  /fhir/.well-known/smart-configuration   discovery (PKCE S256 only)
//   GET  /auth/authorize                          auto-approves; keyed by `launch` (EHR launch) or,
//                                                 for launch/patient, the signed-in portal patient
//   POST /auth/token                              code exchange: single-use code, redirect_uri,
//                                                 PKCE S256 check, private_key_jwt (carechat's JWKS
//                                                 fetched from carechat) or client_secret_basic;
//                                                 answers id_token + patient context
//   GET  /keys                                    the EHR's JWKS; rotate() adds a key and signs with it
//   GET  /ehr/chart?launch=...                    a chart page embedding carechat in an iframe
// Test knobs (fields of the MockEhr) break one thing at a time: idTokenFault, tamperChallenge.
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { SignJWT, createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from "jose";

const b64url = (buf) => Buffer.from(buf).toString("base64url");

export class MockEhr {
  /** `carechatOrigin`: where carechat runs (its JWKS and the chart page's iframe). */
  constructor({ clientId = "carechat", carechatOrigin, clientSecret = null } = {}) {
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.carechatOrigin = carechatOrigin;
    this.keys = []; // {kid, privateKey, publicJwk}, the last one signs
    this.launches = new Map(); // launch id -> {patient, fhirUser, name}
    this.codes = new Map(); // code -> {...}
    this.portalPatient = null; // the patient "signed in" at the portal (standalone launch)
    this.idTokenFault = null; // "expired" | "wrong-key" | "wrong-aud" | "alg-none" | "hs256"
    this.tamperChallenge = false; // store another code_challenge: carechat's verifier then fails
    this.tokenRequests = []; // what carechat sent to /auth/token (for assertions)
    this.server = null;
    this.port = 0;
  }

  get origin() {
    return `http://127.0.0.1:${this.port}`;
  }

  get iss() {
    return `${this.origin}/fhir`;
  }

  async start() {
    await this.rotate();
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e) => {
        res.writeHead(500, { "Content-Type": "text/plain" });
        res.end(String(e?.stack ?? e));
      });
    });
    await new Promise((r) => this.server.listen(0, "127.0.0.1", r));
    this.port = this.server.address().port;
    return this;
  }

  async stop() {
    if (this.server) await new Promise((r) => this.server.close(r));
    this.server?.closeAllConnections?.();
  }

  /** A new signing key; the old ones stay published (as an EHR rotating its keys would). */
  async rotate(alg = "RS256") {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const kid = `ehr-key-${this.keys.length + 1}`;
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
    this.keys.push({ kid, alg, privateKey, publicJwk });
  }

  /** An EHR launch context for a staff member (or a patient) on a patient's chart. */
  newLaunch({ patient, fhirUser, name }) {
    const id = `launch-${b64url(randomBytes(9))}`;
    this.launches.set(id, { patient, fhirUser, name });
    return id;
  }

  chartUrl(launch) {
    return `${this.origin}/ehr/chart?launch=${encodeURIComponent(launch)}`;
  }

  async handle(req, res) {
    const url = new URL(req.url, this.origin);
    const json = (status, body) => {
      res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "GET" && url.pathname === "/fhir/.well-known/smart-configuration") {
      return json(200, {
        issuer: this.iss,
        authorization_endpoint: `${this.origin}/auth/authorize`,
        token_endpoint: `${this.origin}/auth/token`,
        jwks_uri: `${this.origin}/keys`,
        token_endpoint_auth_methods_supported: ["private_key_jwt", "client_secret_basic"],
        token_endpoint_auth_signing_alg_values_supported: ["RS384", "ES384"],
        scopes_supported: ["openid", "fhirUser", "launch", "launch/patient", "patient/*.rs"],
        response_types_supported: ["code"],
        code_challenge_methods_supported: ["S256"],
        capabilities: ["launch-ehr", "launch-standalone", "client-confidential-asymmetric", "context-ehr-patient",
          "context-standalone-patient", "sso-openid-connect", "permission-v2"],
      });
    }
    if (req.method === "GET" && url.pathname === "/keys") {
      return json(200, { keys: this.keys.map((k) => k.publicJwk) });
    }
    if (req.method === "GET" && url.pathname === "/auth/authorize") return this.authorize(url, res, json);
    if (req.method === "POST" && url.pathname === "/auth/token") return this.token(req, json);
    if (req.method === "GET" && url.pathname === "/ehr/chart") {
      const launch = url.searchParams.get("launch") ?? "";
      const src = `${this.carechatOrigin}/smart/launch?iss=${encodeURIComponent(this.iss)}&launch=${encodeURIComponent(launch)}`;
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><html><head><title>Mock EHR chart</title></head><body>
<h1 data-testid="ehr-banner">Mock EHR: chart</h1>
<iframe data-testid="carechat-pane" title="carechat" src="${src.replace(/&/g, "&amp;").replace(/"/g, "&quot;")}"
  style="width:420px;height:700px;border:1px solid #999"></iframe></body></html>`);
      return;
    }
    json(404, { error: "not_found" });
  }

  authorize(url, res, json) {
    const p = url.searchParams;
    const fail = (why) => json(400, { error: "invalid_request", error_description: why });
    if (p.get("response_type") !== "code") return fail("response_type");
    if (p.get("client_id") !== this.clientId) return fail("client_id");
    if (p.get("aud") !== this.iss) return fail("aud must be the FHIR base");
    if (p.get("code_challenge_method") !== "S256" || !p.get("code_challenge")) return fail("PKCE S256 is required");
    if (!p.get("state") || !p.get("redirect_uri") || !p.get("nonce")) return fail("state, nonce, redirect_uri");
    const scopes = (p.get("scope") ?? "").split(" ");
    if (!scopes.includes("openid") || !scopes.includes("fhirUser")) return fail("openid fhirUser");
    let context;
    if (p.has("launch")) {
      context = this.launches.get(p.get("launch"));
      if (!context || !scopes.includes("launch")) return fail("unknown launch");
    } else {
      if (!scopes.includes("launch/patient") || !this.portalPatient) return fail("no one signed in at the portal");
      context = { patient: this.portalPatient, fhirUser: `${this.iss}/Patient/${this.portalPatient}`, name: "Portal Patient" };
    }
    const code = b64url(randomBytes(24));
    this.codes.set(code, {
      context,
      challenge: this.tamperChallenge ? b64url(randomBytes(32)) : p.get("code_challenge"),
      nonce: p.get("nonce"),
      redirectUri: p.get("redirect_uri"),
      scope: p.get("scope"),
      exp: Date.now() + 60_000,
    });
    const back = new URL(p.get("redirect_uri"));
    back.searchParams.set("code", code);
    back.searchParams.set("state", p.get("state"));
    res.writeHead(302, { Location: back.toString() });
    res.end();
  }

  async token(req, json) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
    this.tokenRequests.push(Object.fromEntries(form));
    const fail = (status, error, why) => json(status, { error, error_description: why });
    // Client authentication first, as an authorization server does.
    if (form.get("client_assertion_type") === "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") {
      try {
        const jwks = createRemoteJWKSet(new URL(`${this.carechatOrigin}/.well-known/jwks.json`));
        const { payload } = await jwtVerify(form.get("client_assertion"), jwks, {
          issuer: this.clientId,
          subject: this.clientId,
          audience: `${this.origin}/auth/token`,
          algorithms: ["ES384", "ES256", "RS384"],
        });
        if (!payload.jti || !payload.exp) return fail(401, "invalid_client", "jti and exp are required");
      } catch (e) {
        return fail(401, "invalid_client", `client assertion: ${e.message}`);
      }
    } else if (this.clientSecret !== null) {
      const basic = (req.headers.authorization ?? "").replace(/^Basic /, "");
      const [id, secret] = Buffer.from(basic, "base64").toString("utf8").split(":").map(decodeURIComponent);
      if (id !== this.clientId || secret !== this.clientSecret) return fail(401, "invalid_client", "wrong secret");
    } else {
      return fail(401, "invalid_client", "no client authentication");
    }
    if (form.get("grant_type") !== "authorization_code") return fail(400, "unsupported_grant_type", "");
    const grant = this.codes.get(form.get("code") ?? "");
    this.codes.delete(form.get("code") ?? ""); // single use
    if (!grant || grant.exp < Date.now()) return fail(400, "invalid_grant", "unknown or used code");
    if (form.get("redirect_uri") !== grant.redirectUri) return fail(400, "invalid_grant", "redirect_uri differs");
    const verifier = form.get("code_verifier") ?? "";
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || challenge !== grant.challenge)
      return fail(400, "invalid_grant", "PKCE verification failed");
    const idToken = await this.idToken(grant);
    return json(200, {
      access_token: b64url(randomBytes(24)),
      token_type: "Bearer",
      expires_in: 3600,
      scope: grant.scope,
      id_token: idToken,
      patient: grant.context.patient,
      need_patient_banner: false,
    });
  }

  async idToken(grant) {
    const { context, nonce } = grant;
    const key = this.keys[this.keys.length - 1];
    const now = Math.floor(Date.now() / 1000);
    const claims = { fhirUser: context.fhirUser, name: context.name, nonce };
    const fault = this.idTokenFault;
    let exp = now + 300;
    let iat = now;
    if (fault === "expired") {
      exp = now - 600;
      iat = now - 900;
    }
    const aud = fault === "wrong-aud" ? "some-other-app" : this.clientId;
    const sub = context.fhirUser.split("/").pop();
    if (fault === "alg-none") {
      const enc = (o) => b64url(JSON.stringify(o));
      return `${enc({ alg: "none", kid: key.kid })}.${enc({ ...claims, iss: this.iss, aud, sub, exp, iat })}.`;
    }
    if (fault === "hs256") {
      // The HS/RS confusion: "signed" with the EHR's public RSA key as an HMAC secret.
      const secret = new TextEncoder().encode(JSON.stringify(key.publicJwk));
      return new SignJWT({ ...claims }).setProtectedHeader({ alg: "HS256", kid: key.kid }).setIssuer(this.iss)
        .setAudience(aud).setSubject(sub).setIssuedAt(iat).setExpirationTime(exp).sign(secret);
    }
    let signingKey = key.privateKey;
    if (fault === "wrong-key") signingKey = (await generateKeyPair(key.alg)).privateKey; // not in /keys
    return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" }).setIssuer(this.iss)
      .setAudience(aud).setSubject(sub).setIssuedAt(iat).setExpirationTime(exp).sign(signingKey);
  }
}
