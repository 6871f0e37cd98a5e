//! Single sign-on through the office's OpenID provider (issue 12): the authorization code
//! flow with PKCE, the ID token checked against the provider's published keys, issuer,
//! audience, expiry and nonce by the `openidconnect` crate, and sign-out at the provider
//! too. Any provider with a standard discovery document works, Microsoft Entra ID's
//! included (README: "Single sign-on").
//!
//! Who the person is in Tact, and with which role, is decided in core
//! ([`tact_core::sign_in`]) through [`tact_app::App::provider_sign_in`]; this module only
//! speaks the protocol.

use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreIdToken};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout,
    RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tact_app::access::ProviderIdentity;
use tact_core::roles::Role;

/// `[sso]` in `tact.toml`, checked.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The provider's issuer URL; its discovery document is at
    /// `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// Where staff reach Tact (`https://tact.example.gov.uk`): the provider sends people
    /// back to `{public_url}/sign-in/sso/callback`, and after signing out to
    /// `{public_url}/sign-in`.
    pub public_url: String,
    /// The provider's name on the sign-in button ("Sign in with Microsoft").
    pub label: String,
    /// Scopes asked for beyond `openid`.
    pub scopes: Vec<String>,
    /// The claim that is the username in Tact (`preferred_username`: in Entra ID the user
    /// principal name, which the provider's administrators control).
    pub username_claim: String,
    /// The claim holding the groups or app roles (`roles` for Entra ID app roles, or
    /// `groups`).
    pub groups_claim: String,
    /// Claim values to Tact roles, the first that matches winning.
    pub roles: Vec<(String, Role)>,
    /// Whether the password form is offered as well (small offices, break-glass accounts).
    pub passwords: bool,
}

impl Settings {
    fn redirect(&self) -> String {
        format!(
            "{}/sign-in/sso/callback",
            self.public_url.trim_end_matches('/')
        )
    }

    fn after_sign_out(&self) -> String {
        format!("{}/sign-in", self.public_url.trim_end_matches('/'))
    }
}

/// Why single sign-on could not finish, in words for the sign-in page. The detail goes to
/// the log.
#[derive(Debug)]
pub enum Failed {
    /// The provider could not be reached or answered something unusable.
    Provider(String),
    /// The browser's request did not match the sign-in this browser began (old, replayed or
    /// forged).
    Stale,
    /// The provider refused or the person cancelled.
    Refused(String),
}

/// The sign-in in flight, kept in a short-lived cookie in the person's browser so any Tact
/// process can finish it: the state that must come back, the nonce the ID token must carry
/// and the PKCE verifier.
#[derive(Serialize, Deserialize)]
struct InFlight {
    state: String,
    nonce: String,
    verifier: String,
}

/// The OpenID client: the settings, an HTTP client that follows no redirects (so a
/// provider cannot steer Tact's requests elsewhere), and the discovery document, fetched
/// again after [`METADATA_SECONDS`] so rotated keys are picked up.
pub struct Sso {
    pub settings: Settings,
    http: reqwest::Client,
    metadata: tokio::sync::Mutex<Option<(std::time::Instant, ProviderMetadataWithLogout)>>,
}

/// How long a discovery document (and the keys it points to) is used before it is fetched
/// again.
pub const METADATA_SECONDS: u64 = 300;

impl Sso {
    /// # Errors
    /// An HTTP client that cannot be built.
    pub fn new(settings: Settings) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            settings,
            http,
            metadata: tokio::sync::Mutex::new(None),
        })
    }

    async fn metadata(&self, fresh: bool) -> Result<ProviderMetadataWithLogout, Failed> {
        let mut cached = self.metadata.lock().await;
        if let Some((at, m)) = cached.as_ref() {
            if !fresh && at.elapsed().as_secs() < METADATA_SECONDS {
                return Ok(m.clone());
            }
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| Failed::Provider(format!("the issuer URL is not one: {e}")))?;
        let m = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| Failed::Provider(format!("discovery failed: {}", chain(&e))))?;
        *cached = Some((std::time::Instant::now(), m.clone()));
        Ok(m)
    }

    fn client(
        &self,
        m: ProviderMetadataWithLogout,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        Failed,
    > {
        let redirect = RedirectUrl::new(self.settings.redirect())
            .map_err(|e| Failed::Provider(format!("the public URL is not one: {e}")))?;
        Ok(CoreClient::from_provider_metadata(
            m,
            ClientId::new(self.settings.client_id.clone()),
            self.settings.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    /// Where to send the browser to sign in, and the cookie value that remembers this
    /// sign-in until it comes back.
    ///
    /// # Errors
    /// The provider cannot be reached or its discovery document is unusable.
    pub async fn begin(&self) -> Result<(String, String), Failed> {
        let client = self.client(self.metadata(false).await?)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for s in &self.settings.scopes {
            request = request.add_scope(Scope::new(s.clone()));
        }
        let (url, state, nonce) = request.url();
        let flight = InFlight {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
        };
        let cookie = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&flight).unwrap_or_default());
        Ok((url.to_string(), cookie))
    }

    /// Finishes a sign-in the provider sent back: checks the state against the cookie,
    /// exchanges the code (with the PKCE verifier) for tokens, verifies the ID token, and
    /// reads who it is, asking the user-info endpoint for a claim the ID token left out.
    /// Gives the identity and the ID token.
    ///
    /// # Errors
    /// [`Failed`], saying why.
    pub async fn finish(
        &self,
        cookie: Option<&str>,
        state: &str,
        code: &str,
    ) -> Result<(ProviderIdentity, String), Failed> {
        let flight: InFlight = cookie
            .and_then(|c| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(c)
                    .ok()
            })
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or(Failed::Stale)?;
        let same = subtle::ConstantTimeEq::ct_eq(flight.state.as_bytes(), state.as_bytes());
        if flight.state.is_empty() || !bool::from(same) {
            return Err(Failed::Stale);
        }
        let client = self.client(self.metadata(false).await?)?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| Failed::Provider(format!("no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(flight.verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| Failed::Refused(format!("the code was not accepted: {}", chain(&e))))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| Failed::Provider("the provider sent no ID token".into()))?
            .clone();
        let nonce = Nonce::new(flight.nonce);
        // Verified against the keys the discovery document names; where they do not verify,
        // once more with the document fetched again, in case the provider rotated its keys.
        let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Ok(c) => c.clone(),
            Err(_) => {
                let fresh = self.client(self.metadata(true).await?)?;
                let verifier = fresh.id_token_verifier();
                let claims = id_token
                    .claims(&verifier, &nonce)
                    .map_err(|e| Failed::Provider(format!("the ID token did not verify: {e}")))?
                    .clone();
                claims
            }
        };
        let mut all = payload(&id_token.to_string())?;
        let wanted = [
            self.settings.username_claim.as_str(),
            self.settings.groups_claim.as_str(),
        ];
        if wanted.iter().any(|c| !all.contains_key(*c)) {
            if let Some(url) = client.user_info_url() {
                let info = self
                    .user_info(url.as_str(), tokens.access_token().secret())
                    .await?;
                // The user-info answer is about the ID token's subject, or it is not used.
                if info.get("sub").and_then(Value::as_str) == Some(claims.subject().as_str()) {
                    for (k, v) in info {
                        all.entry(k).or_insert(v);
                    }
                }
            }
        }
        let text = |name: &str| all.get(name).and_then(Value::as_str).map(str::to_string);
        let username = text(&self.settings.username_claim).ok_or_else(|| {
            Failed::Refused(format!(
                "the provider did not say your username (the {} claim)",
                self.settings.username_claim
            ))
        })?;
        let groups = match all.get(&self.settings.groups_claim) {
            Some(Value::Array(v)) => v
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            Some(Value::String(s)) => s.split_whitespace().map(str::to_string).collect(),
            _ => Vec::new(),
        };
        let who = ProviderIdentity {
            issuer: claims.issuer().to_string(),
            subject: claims.subject().to_string(),
            name: text("name").unwrap_or_else(|| username.clone()),
            email: text("email"),
            username,
            groups,
        };
        Ok((who, id_token.to_string()))
    }

    async fn user_info(&self, url: &str, access_token: &str) -> Result<Map<String, Value>, Failed> {
        let r = self
            .http
            .get(url)
            .bearer_auth(access_token)
            .send()
            .await
            .map_err(|e| Failed::Provider(format!("user info: {}", chain(&e))))?;
        if !r.status().is_success() {
            return Err(Failed::Provider(format!(
                "user info answered {}",
                r.status()
            )));
        }
        r.json()
            .await
            .map_err(|e| Failed::Provider(format!("user info was not JSON: {e}")))
    }

    /// Where to send the browser to sign out at the provider as well, where the provider
    /// publishes an end-session endpoint: with the session's ID token as a hint, and back
    /// to Tact's sign-in page afterwards.
    pub async fn sign_out_url(&self, id_token: &str) -> Option<String> {
        let m = match self.metadata(false).await {
            Ok(m) => m,
            Err(Failed::Provider(e)) => {
                tracing::warn!(error = %e, "single sign-on: no sign-out at the provider");
                return None;
            }
            Err(_) => return None,
        };
        let end = m.additional_metadata().end_session_endpoint.clone()?;
        let mut request = openidconnect::LogoutRequest::from(end)
            .set_client_id(ClientId::new(self.settings.client_id.clone()));
        if let Ok(hint) = id_token.parse::<CoreIdToken>() {
            request = request.set_id_token_hint(&hint);
        }
        if let Ok(back) = PostLogoutRedirectUrl::new(self.settings.after_sign_out()) {
            request = request.set_post_logout_redirect_uri(back);
        }
        Some(request.http_get_url().to_string())
    }
}

/// The claims of a JWT whose signature has been verified: its middle part, decoded.
fn payload(jwt: &str) -> Result<Map<String, Value>, Failed> {
    jwt.split('.')
        .nth(1)
        .and_then(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .ok()
        })
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| Failed::Provider("the ID token's claims could not be read".into()))
}

/// An error and its causes, for the log.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}
