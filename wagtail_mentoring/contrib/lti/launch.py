"""Validating a launch: what pylti1p3 checks, and what it leaves to the tool.

pylti1p3 verifies the signature against the platform's JWKS, the registration,
the deployment, the message type and the LTI version. It keeps the OIDC state in
a cookie (blocked inside an LMS iframe by browsers that block third-party
cookies), never consumes a nonce (a captured launch could be replayed), and does
not check ``aud``/``azp``. So here:

- the state lives server-side in the cache, bound to the nonce it was issued
  with, and is consumed by the first launch that presents it;
- a nonce is accepted once, ever (``cache.add``), whatever state comes with it;
- ``aud`` must name the registration's client id, ``azp`` too when present or
  when there are several audiences; ``exp`` and ``iat`` are required;
- an unknown or inactive deployment is refused (django-lti would create it).

Every refusal raises ``LaunchRefused`` with a code the error page explains.
"""

from __future__ import annotations

import logging

import jwt
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from lti_tool.models import LtiDeployment, LtiRegistration
from lti_tool.utils import DjangoToolConfig
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch
from pylti1p3.exception import LtiException

from .conf import lti_setting

logger = logging.getLogger(__name__)

STATE_KEY = "wm-lti-state:{}"
NONCE_KEY = "wm-lti-nonce:{}"
#: Why a launch was refused, in words a learner or a course author can act on.
REASONS = {
    "missing_params": _("The LMS did not send the parameters an LTI launch needs."),
    "unknown_platform": _(
        "This LMS (issuer and client id) is not registered with the intranet. "
        "Ask the intranet's administrators to register it."
    ),
    "unknown_deployment": _(
        "This deployment of the tool is not registered or not active. Ask the "
        "intranet's administrators to add it."
    ),
    "bad_state": _(
        "This launch was not started from the LMS just now, or was already used. "
        "Go back to the course and open the link again."
    ),
    "replayed_nonce": _(
        "This launch was already used once. Go back to the course and open the "
        "link again."
    ),
    "bad_signature": _("The launch is not signed by the registered LMS."),
    "platform_keys": _("The LMS's public keys could not be fetched or matched."),
    "wrong_audience": _("The launch was issued for another tool (audience)."),
    "expired": _("The launch expired. Go back to the course and open it again."),
    "bad_token": _("The launch token is malformed or incomplete."),
    "bad_message": _("The LMS sent a kind of LTI message this tool does not handle."),
    "no_target": _(
        "This link does not say which program, journey or space to open. Ask "
        "the course author to choose it again."
    ),
    "not_instructor": _("Only the course's instructors may choose what to place."),
    "no_account": _(
        "Your course account is not linked to an intranet account, and this "
        "launch cannot link it."
    ),
    "expired_handoff": _("This link was already used or has expired."),
}


class LaunchRefused(LtiException):
    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail

    @property
    def reason(self):
        return REASONS[self.code]


class ServerSideStorage(DjangoCacheDataStorage):
    """Launch data in the cache, never tied to a cookie (iframes may have none)."""

    def get_session_cookie_name(self):
        return None


class ToolConfig(DjangoToolConfig):
    """django-lti's registry, minus creating deployments nobody registered."""

    def find_deployment_by_params(self, iss, deployment_id, client_id, *a, **kw):
        self.deployment = (
            LtiDeployment.objects.active()
            .filter(
                registration__issuer=iss,
                registration__client_id=client_id,
                registration__is_active=True,
                deployment_id=deployment_id,
            )
            .first()
        )
        if self.deployment is None:
            raise LaunchRefused("unknown_deployment", deployment_id)
        return super().find_deployment_by_params(iss, deployment_id, client_id)


def save_state(state: str, nonce: str, registration_pk: int) -> None:
    cache.set(
        STATE_KEY.format(state),
        {"nonce": nonce, "registration": registration_pk},
        lti_setting("STATE_TTL"),
    )


class MentoringMessageLaunch(DjangoMessageLaunch):
    _expected_nonce: str | None = None

    def validate(self):
        # The signature is checked before the state and the nonce are spent, so
        # a forged post cannot burn a learner's genuine launch.
        if self._restored:
            raise LaunchRefused("bad_token", "restored launch")
        self._validated = True
        try:
            return (
                self.validate_jwt_format()
                .validate_registration()
                .validate_jwt_signature()
                .validate_state()
                .validate_nonce()
                .validate_deployment()
                .validate_message()
                .save_launch_data()
            )
        except Exception:
            self._validated = False
            raise

    def validate_state(self):
        state = self._get_request_param("state")
        if not state:
            raise LaunchRefused("bad_state", "no state")
        saved = cache.get(STATE_KEY.format(state))
        # delete() says whether this request removed it: of two concurrent
        # launches with one state, only one gets True.
        if saved is None or not cache.delete(STATE_KEY.format(state)):
            raise LaunchRefused("bad_state", "unknown or used state")
        # The login was started for one platform; its token must come from it.
        if saved["registration"] != self._tool_config.registration.pk:
            raise LaunchRefused("bad_state", "state of another platform")
        self._expected_nonce = saved["nonce"]
        return self

    def validate_jwt_format(self):
        try:
            return super().validate_jwt_format()
        except LtiException as error:
            raise LaunchRefused("bad_token", str(error)) from error

    def validate_nonce(self):
        nonce = self._get_jwt_body().get("nonce")
        if not nonce:
            raise LaunchRefused("bad_token", "no nonce")
        if not cache.add(NONCE_KEY.format(nonce), True, 24 * 3600):
            raise LaunchRefused("replayed_nonce", nonce)
        if nonce != self._expected_nonce:
            raise LaunchRefused("bad_state", "nonce does not belong to this state")
        return self

    def validate_registration(self):
        try:
            return super().validate_registration()
        except LaunchRefused:
            raise
        except LtiException as error:
            # A registered issuer naming a client id it never gave this tool:
            # the token was meant for another tool.
            known = LtiRegistration.objects.active().filter(issuer=self.get_iss())
            code = "wrong_audience" if known.exists() else "unknown_platform"
            raise LaunchRefused(code, str(error)) from error

    def get_public_key(self):
        try:
            return super().get_public_key()
        except LtiException as error:
            raise LaunchRefused("platform_keys", str(error)) from error

    def validate_jwt_signature(self):
        client_id = self._registration.get_client_id()
        public_key, algorithm = self.get_public_key()
        try:
            claims = jwt.decode(
                self._get_id_token(),
                public_key,
                algorithms=[algorithm],
                audience=client_id,
                issuer=self._registration.get_issuer(),
                options={"require": ["exp", "iat", "aud", "iss", "sub", "nonce"]},
                leeway=30,
            )
        except jwt.ExpiredSignatureError as error:
            raise LaunchRefused("expired", str(error)) from error
        except (jwt.InvalidAudienceError, jwt.InvalidIssuerError) as error:
            raise LaunchRefused("wrong_audience", str(error)) from error
        except jwt.InvalidSignatureError as error:
            raise LaunchRefused("bad_signature", str(error)) from error
        except jwt.InvalidTokenError as error:
            raise LaunchRefused("bad_token", str(error)) from error
        audiences = claims["aud"]
        audiences = audiences if isinstance(audiences, list) else [audiences]
        azp = claims.get("azp")
        if (azp is not None or len(audiences) > 1) and azp != client_id:
            raise LaunchRefused("wrong_audience", f"azp {azp!r}")
        return self

    def validate_deployment(self):
        try:
            return super().validate_deployment()
        except LaunchRefused:
            raise
        except LtiException as error:
            raise LaunchRefused("unknown_deployment", str(error)) from error

    def validate_message(self):
        try:
            return super().validate_message()
        except LtiException as error:
            raise LaunchRefused("bad_message", str(error)) from error


def validated_launch(request) -> MentoringMessageLaunch:
    """The request's launch, validated, or ``LaunchRefused``."""
    message_launch = MentoringMessageLaunch(
        request, ToolConfig(), launch_data_storage=ServerSideStorage()
    )
    try:
        message_launch.validate()
    except LaunchRefused:
        raise
    except LtiException as error:
        raise LaunchRefused("bad_token", str(error)) from error
    return message_launch


def restored_launch(request, launch_id: str) -> MentoringMessageLaunch:
    try:
        return MentoringMessageLaunch.from_cache(
            launch_id, request, ToolConfig(), launch_data_storage=ServerSideStorage()
        )
    except LtiException as error:
        raise LaunchRefused("expired_handoff", str(error)) from error
