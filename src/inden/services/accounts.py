"""People's accounts in the back office: users, their passwords, server-side sessions and login throttling.

Passwords are hashed with argon2 (argon2-cffi's defaults). A session is a random secret in an HttpOnly cookie;
only its SHA-256 is stored, with a CSRF token for the session's forms, and it ends after
`session_idle_minutes` without use. Failed logins are rows in `login_attempts`, so the limit holds across
several server processes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from inden.clock import as_utc, utcnow
from inden.config import Settings, get_settings
from inden.db.models import LoginAttempt, User, UserSession
from inden.db.session import Database
from inden.domain.errors import DomainError, InvalidRequest, NotFound, RateLimited

MIN_PASSWORD = 10
MAX_PASSWORD = 200
_hasher = PasswordHasher()
# Verifying against this when the address is unknown makes a wrong address cost as long as a wrong password.
_DUMMY_HASH = _hasher.hash("inden-no-such-user")


class UserRole(StrEnum):
    OWNER = "owner"  # everything, including users, keys, webhooks and settings
    STAFF = "staff"  # daily work: products, stock, orders, purchasing, plan, import


class UnknownUser(NotFound):
    def __init__(self, email: str) -> None:
        super().__init__(f"No user with email {email!r}.", email=email)


class DuplicateUser(InvalidRequest):
    def __init__(self, email: str) -> None:
        super().__init__(f"A user with email {email!r} already exists.", email=email)


class WeakPassword(InvalidRequest):
    def __init__(self) -> None:
        super().__init__(f"A password needs at least {MIN_PASSWORD} characters (at most {MAX_PASSWORD}).",
                         min_length=MIN_PASSWORD)


class InvalidSetupLink(NotFound):
    def __init__(self) -> None:
        super().__init__("This setup link is unknown, used or expired; ask the owner for a new one.")


class BadLogin(DomainError):
    """The address or the password is wrong (which one is not said)."""

    code = "unauthorized"

    def __init__(self) -> None:
        super().__init__("Wrong email or password.")


class LoginThrottled(RateLimited):
    """Too many failed logins for this address or from this client; try again after `wait_seconds`."""

    def __init__(self, wait_seconds: int) -> None:
        super().__init__(f"Too many failed logins; try again in {wait_seconds} seconds.", wait_seconds=wait_seconds)
        self.wait_seconds = wait_seconds


@dataclass(frozen=True)
class Account:
    """Who is logged in, as the pages need it."""

    id: int
    email: str
    role: UserRole
    locale: str
    csrf_token: str = ""

    @property
    def is_owner(self) -> bool:
        return self.role is UserRole.OWNER


@dataclass(frozen=True)
class UserRow:
    email: str
    role: UserRole
    locale: str
    active: bool  # has set a password
    created_at: datetime


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normal_email(email: str) -> str:
    return email.strip().lower()


def _check_password(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise WeakPassword()


def _setup_secret(user: User, *, now: datetime, settings: Settings) -> str:
    token = secrets.token_urlsafe(32)
    user.setup_token_hash = digest(token)
    user.setup_expires_at = now + timedelta(hours=settings.setup_link_hours)
    return token


def add_user(db: Database, email: str, role: UserRole, *, password: str | None = None, locale: str | None = None,
             now: datetime | None = None, settings: Settings | None = None) -> str | None:
    """Create a user. With `password` the account is ready; without, returns the secret of a one-time setup
    link (`/setup/{secret}`). Raises DuplicateUser, WeakPassword, InvalidRequest (address)."""
    settings = settings or get_settings()
    now = now or utcnow()
    email = normal_email(email)
    if "@" not in email or len(email) > 254 or email.startswith("@") or email.endswith("@"):
        raise InvalidRequest(f"{email!r} is not an email address.", email=email)
    if password is not None:
        _check_password(password)
    try:
        with db.transaction() as session:
            if session.scalar(select(User.id).where(User.email == email)) is not None:
                raise DuplicateUser(email)
            user = User(email=email, role=role.value, locale=locale or settings.default_locale, created_at=now,
                        password_hash=_hasher.hash(password) if password is not None else None)
            token = None if password is not None else _setup_secret(user, now=now, settings=settings)
            session.add(user)
    except IntegrityError as error:
        raise DuplicateUser(email) from error
    return token


def list_users(db: Database) -> list[UserRow]:
    with db.transaction() as session:
        users = session.scalars(select(User).order_by(User.email)).all()
        return [UserRow(u.email, UserRole(u.role), u.locale, u.password_hash is not None, as_utc(u.created_at))
                for u in users]


def remove_user(db: Database, email: str) -> None:
    """Delete a user and end their sessions. Raises UnknownUser."""
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.email == normal_email(email)))
        if user is None:
            raise UnknownUser(email)
        session.execute(delete(UserSession).where(UserSession.user_id == user.id))
        session.delete(user)


def reset_user(db: Database, email: str, *, password: str | None = None, now: datetime | None = None,
               settings: Settings | None = None) -> str | None:
    """End a user's sessions and either set `password` or return a new one-time setup secret (the old password
    stops working). Raises UnknownUser, WeakPassword."""
    settings = settings or get_settings()
    now = now or utcnow()
    if password is not None:
        _check_password(password)
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.email == normal_email(email)))
        if user is None:
            raise UnknownUser(email)
        session.execute(delete(UserSession).where(UserSession.user_id == user.id))
        if password is not None:
            user.password_hash, user.setup_token_hash, user.setup_expires_at = _hasher.hash(password), None, None
            return None
        user.password_hash = None
        return _setup_secret(user, now=now, settings=settings)


def setup_email(db: Database, token: str, *, now: datetime | None = None) -> str:
    """The address a setup link is for. Raises InvalidSetupLink."""
    with db.transaction() as session:
        return _by_setup_token(session, token, now=now or utcnow()).email


def _by_setup_token(session: Session, token: str, *, now: datetime) -> User:
    user = session.scalar(select(User).where(User.setup_token_hash == digest(token)))
    if user is None or user.setup_expires_at is None or as_utc(user.setup_expires_at) < now:
        raise InvalidSetupLink()
    return user


def complete_setup(db: Database, token: str, password: str, *, now: datetime | None = None) -> str:
    """Set the password of the user a setup link is for; the link then stops working. Returns the address.
    Raises InvalidSetupLink, WeakPassword."""
    _check_password(password)
    with db.transaction() as session:
        user = _by_setup_token(session, token, now=now or utcnow())
        user.password_hash, user.setup_token_hash, user.setup_expires_at = _hasher.hash(password), None, None
        return user.email


def _failures(session: Session, column: InstrumentedAttribute[str], value: str, since: datetime
              ) -> tuple[int, datetime | None]:
    count, oldest = session.execute(
        select(func.count(), func.min(LoginAttempt.created_at)).where(column == value, LoginAttempt.created_at >= since)
    ).one()
    return int(count), as_utc(oldest) if oldest is not None else None


def _throttle(session: Session, email: str, client: str, *, now: datetime, settings: Settings) -> None:
    window = timedelta(minutes=settings.login_window_minutes)
    since = now - window
    for column, value in ((LoginAttempt.email, email), (LoginAttempt.client, client)):
        count, oldest = _failures(session, column, value, since)
        if count >= settings.login_failures_allowed and oldest is not None:
            raise LoginThrottled(max(1, int((oldest + window - now).total_seconds()) + 1))


def log_in(db: Database, email: str, password: str, *, client: str, now: datetime | None = None,
           settings: Settings | None = None) -> tuple[str, Account]:
    """Check the password and start a session; returns the cookie's secret and the account.

    Raises LoginThrottled after too many failures for the address or the client (checked before the password),
    BadLogin otherwise (the failure is recorded, in its own transaction so that it sticks).
    """
    settings = settings or get_settings()
    now = now or utcnow()
    email, client = normal_email(email)[:254], client[:64]
    with db.transaction() as session:
        _throttle(session, email, client, now=now, settings=settings)
        user = session.scalar(select(User).where(User.email == email))
        if user is not None and user.password_hash and _verifies(user.password_hash, password):
            token = secrets.token_urlsafe(32)
            csrf = secrets.token_urlsafe(32)
            session.add(UserSession(token_hash=digest(token), user_id=user.id, csrf_token=csrf, created_at=now,
                                    last_seen_at=now))
            session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
            return token, Account(user.id, user.email, UserRole(user.role), user.locale, csrf)
        if user is None:
            _verifies(_DUMMY_HASH, password)
    with db.transaction() as session:
        session.add(LoginAttempt(email=email, client=client, created_at=now))
        session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < now - timedelta(days=1)))
    raise BadLogin()


def _verifies(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        return False


def session_account(db: Database, token: str, *, now: datetime | None = None,
                    settings: Settings | None = None) -> Account | None:
    """The account of a live session (its idle clock restarts), or None for an unknown or idle one."""
    settings = settings or get_settings()
    now = now or utcnow()
    idle = timedelta(minutes=settings.session_idle_minutes)
    with db.transaction() as session:
        found = session.execute(
            select(UserSession, User).join(User, User.id == UserSession.user_id)
            .where(UserSession.token_hash == digest(token))
        ).first()
        if found is None:
            return None
        user_session, user = found
        if as_utc(user_session.last_seen_at) + idle < now:
            session.delete(user_session)
            return None
        if now - as_utc(user_session.last_seen_at) > timedelta(minutes=1):  # one write a minute, not per page
            user_session.last_seen_at = now
        return Account(user.id, user.email, UserRole(user.role), user.locale, user_session.csrf_token)


def log_out(db: Database, token: str) -> None:
    with db.transaction() as session:
        session.execute(delete(UserSession).where(UserSession.token_hash == digest(token)))


def set_locale(db: Database, user_id: int, locale: str) -> None:
    """Remember the language a user chose for the back office."""
    with db.transaction() as session:
        user = session.get(User, user_id)
        if user is not None:
            user.locale = locale


def end_idle_sessions(db: Database, *, now: datetime | None = None, settings: Settings | None = None) -> int:
    """Delete sessions idle past the limit (the worker's housekeeping); returns how many."""
    settings = settings or get_settings()
    cutoff = (now or utcnow()) - timedelta(minutes=settings.session_idle_minutes)
    with db.transaction() as session:
        done = session.execute(delete(UserSession).where(UserSession.last_seen_at < cutoff))
        return int(getattr(done, "rowcount", 0) or 0)
