"""A small LTI 1.3 platform (the LMS side), for testing the tool against.

It is a real peer: an RSA key made with ``cryptography``, its JWKS and an OAuth2
token endpoint served over HTTP by a thread (the tool fetches them with
``requests``, as it would from Moodle or Open edX), id_tokens signed with
``pyjwt``, and the OIDC dance followed through the tool's real URLs with
Django's test client. It verifies what the tool sends back (deep-linking
responses) against the tool's own public JWKS.
"""

from __future__ import annotations

import html
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import call_command
from jwt.algorithms import RSAAlgorithm

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def new_key() -> tuple[rsa.RSAPrivateKey, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, uuid.uuid4().hex


class Platform:
    """An LMS: issuer, client id, deployment, keys, and an HTTP server for its JWKS."""

    def __init__(self, *, client_id="wm-tool", deployment_id="dep-1"):
        self.key, self.kid = new_key()
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.token_requests: list[dict] = []
        #: Assignment and Grade Services: scores received, per line item path
        self.scores: dict[str, list[dict]] = {}
        #: the next score posts to refuse with 503 (a platform having a bad day)
        self.fail_scores = 0
        #: the tool's public JWKS, to verify its client assertions with
        self.tool_jwks: dict | None = None
        self.access_tokens: set[str] = set()
        #: Names and Roles Provisioning: the course's members
        self.members: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        host, port = self.server.server_address
        self.issuer = f"http://{host}:{port}"
        self.jwks_fetches = 0

    # The platform's HTTP side --------------------------------------------------

    def jwks(self) -> dict:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def _handler(self):
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, payload, status=200):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _html(self, html):
                body = html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                path, _, query = self.path.partition("?")
                if path == "/jwks":
                    platform.jwks_fetches += 1
                    return self._json(platform.jwks())
                if path == "/course":
                    return self._html(platform.course_page())
                if path == "/nrps":
                    return self._members()
                if path == "/auth":
                    return self._html(platform.auth_response(parse_qs(query)))
                return self._json({"error": "not found"}, 404)

            def _members(self):
                bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if bearer not in platform.access_tokens:
                    return self._json({"error": "unauthorized"}, 401)
                return self._json(
                    {
                        "id": f"{platform.issuer}/nrps",
                        "context": {"id": "course-1", "title": "Mentoring 101"},
                        "members": platform.members,
                    }
                )

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                if self.path == "/token":
                    return self._token(parse_qs(body))
                if self.path.endswith("/scores"):
                    return self._score(body)
                return self._json({"error": "not found"}, 404)

            def _token(self, form):
                # OAuth2 client credentials with a JWT client assertion
                # signed by the tool (RFC 7523), as LTI Advantage requires.
                form = {k: v[0] for k, v in form.items()}
                platform.token_requests.append(form)
                try:
                    assert form["grant_type"] == "client_credentials"
                    assertion = form["client_assertion"]
                    claims = platform.verify_tool_jwt(
                        assertion,
                        platform.tool_jwks,
                        audience=f"{platform.issuer}/token",
                    )
                    assert claims["sub"] == platform.client_id
                except Exception as error:  # noqa: BLE001  (any failure: 401)
                    return self._json({"error": str(error)}, 401)
                token = uuid.uuid4().hex
                platform.access_tokens.add(token)
                return self._json(
                    {"access_token": token, "token_type": "Bearer",
                     "expires_in": 3600, "scope": form.get("scope", "")}
                )  # fmt: skip

            def _score(self, body):
                bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if bearer not in platform.access_tokens:
                    return self._json({"error": "unauthorized"}, 401)
                ctype = self.headers.get("Content-Type")
                if ctype != "application/vnd.ims.lis.v1.score+json":
                    return self._json({"error": "content type"}, 415)
                if platform.fail_scores:
                    platform.fail_scores -= 1
                    return self._json({"error": "try later"}, 503)
                platform.scores.setdefault(self.path, []).append(json.loads(body))
                return self._json({})

        return Handler

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def auth_url(self) -> str:
        return f"{self.issuer}/auth"

    def register(self, **extra) -> str:
        """Register this platform with the tool by its management command."""
        from io import StringIO

        out = StringIO()
        call_command(
            "mentoring_lti",
            "add-platform",
            "--name=Test LMS",
            f"--issuer={self.issuer}",
            f"--client-id={self.client_id}",
            f"--deployment-id={self.deployment_id}",
            f"--auth-url={self.auth_url}",
            f"--token-url={self.issuer}/token",
            f"--keyset-url={self.issuer}/jwks",
            stdout=out,
        )
        return out.getvalue()

    # The browser side: OIDC login initiation, then the authentication response --

    def login(self, client, *, login_hint="user-1", message_hint="hint", **params):
        """Start a launch at the tool; return the tool's auth request parameters."""
        query = {
            "iss": self.issuer,
            "login_hint": login_hint,
            "target_link_uri": "http://testserver/lti/launch/",
            "lti_message_hint": message_hint,
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
            **params,
        }
        response = client.post("/lti/login/", query)
        if response.status_code != 302:
            return response, None
        location = urlsplit(response["Location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == self.auth_url
        auth = {k: v[0] for k, v in parse_qs(location.query).items()}
        return response, auth

    def id_token(self, auth, *, sub="learner-1", roles=(LEARNER,), custom=None,
                 message_type="LtiResourceLinkRequest", key=None, kid=None,
                 **overrides) -> str:  # fmt: skip
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": auth["client_id"] if auth else self.client_id,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": auth["nonce"] if auth else "none",
            "name": "Lee Learner",
            "given_name": "Lee",
            "family_name": "Learner",
            LTI + "deployment_id": self.deployment_id,
            LTI + "message_type": message_type,
            LTI + "version": "1.3.0",
            LTI + "roles": list(roles),
            LTI + "context": {"id": "course-1", "title": "Mentoring 101"},
            LTI + "launch_presentation": {"document_target": "iframe"},
        }
        if message_type == "LtiResourceLinkRequest":
            claims[LTI + "resource_link"] = {"id": "link-1", "title": "Mentoring"}
            claims[LTI + "target_link_uri"] = "http://testserver/lti/launch/"
        else:
            claims[DL + "deep_linking_settings"] = {
                "deep_link_return_url": f"{self.issuer}/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "opaque-platform-data",
            }
        if custom is not None:
            claims[LTI + "custom"] = custom
        for name, value in overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return jwt.encode(
            claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid}
        )

    # The browser side, for a real browser: a course page framing the tool ------

    #: the tool's base URL and the claims of the next launch (browser tests)
    tool_url = ""
    browser_claims: dict = {}

    def course_page(self) -> str:
        login = f"{self.tool_url}/lti/login/?" + urlencode(
            {
                "iss": self.issuer,
                "login_hint": "user-1",
                "target_link_uri": f"{self.tool_url}/lti/launch/",
                "client_id": self.client_id,
                "lti_deployment_id": self.deployment_id,
            }
        )
        return (
            "<!DOCTYPE html><html lang='en'><head><title>Mentoring 101</title>"
            "</head><body><main><h1>Mentoring 101</h1>"
            f"<iframe title='Mentoring' src='{html.escape(login)}' width='800'"
            " height='500'></iframe></main></body></html>"
        )

    def auth_response(self, query) -> str:
        """The platform's OIDC authorization endpoint: a self-posting form."""
        auth = {k: v[0] for k, v in query.items()}
        token = self.id_token(auth, **self.browser_claims)
        return (
            "<!DOCTYPE html><html lang='en'><head><title>Launching</title></head>"
            f"<body><form method='post' action='{html.escape(auth['redirect_uri'])}'>"
            f"<input type='hidden' name='id_token' value='{token}'>"
            f"<input type='hidden' name='state' value='{html.escape(auth['state'])}'>"
            "<button>Continue</button></form>"
            "<script>document.forms[0].submit()</script></body></html>"
        )

    def post_launch(self, client, auth, id_token, *, state=None):
        return client.post(
            urlsplit(auth["redirect_uri"]).path if auth else "/lti/launch/",
            {"id_token": id_token, "state": state or (auth or {}).get("state", "")},
        )

    def launch(self, client, **claims):
        """The whole resource launch: login initiation, auth, signed id_token."""
        response, auth = self.login(client)
        assert auth is not None, response.content
        return self.post_launch(client, auth, self.id_token(auth, **claims))

    # What comes back from the tool ---------------------------------------------

    def verify_tool_jwt(self, token: str, tool_jwks: dict, audience=None) -> dict:
        """Verify a JWT the tool signed (a deep-linking response) as an LMS does."""
        kid = jwt.get_unverified_header(token)["kid"]
        key = next(k for k in tool_jwks["keys"] if k["kid"] == kid)
        return jwt.decode(
            token,
            RSAAlgorithm.from_jwk(json.dumps(key)),
            algorithms=["RS256"],
            audience=audience or self.issuer,
            issuer=self.client_id,
        )


def private_pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
