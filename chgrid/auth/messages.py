"""Exact user-facing strings of the authentication and admin flows.

The reference client matches some of these literally (for example it clears its cookie
after any failed ``auth_result`` whose message contains "session"), so they live in one
place and are never composed ad hoc. Sources: spec/auth.md §2–3, §6, §8, §12, §16 and
spec/permissions.md §4.
"""
from __future__ import annotations

# --- auth_result / auth_required messages (auth.md §12, protocol.md §3) -----------------
AUTH_REQUIRED = "Authentication required."
AUTHENTICATED = "Authenticated."
LOGGED_OUT = "Logged out."
LOGIN_FAILED = "We couldn't log you in. Check your details and try again."
RESUME_FAILED = "We couldn't restore your session. Please log in again."
RATE_LIMITED = "Too many authentication attempts. Try again shortly."
ALREADY_AUTHENTICATED = "Already authenticated."
SERVER_ERROR = "Authentication failed due to a server error. Please try again."
GAMEPLAY_BEFORE_AUTH = "Authenticate before sending gameplay actions."
ACCOUNT_DISABLED = "Account is disabled."

# --- registration (auth.md §2–4, §12): specific, not generic ----------------------------
USERNAME_LENGTH = "Username must be between {min} and {max} characters."
USERNAME_CHARACTERS = "Username may include lowercase letters, numbers, underscores, and dashes only."
PASSWORD_LENGTH = "Password must be between {min} and {max} characters."
USERNAME_TAKEN = "Username is already taken."
EMAIL_IN_USE = "Email is already in use."
REGISTRATION_CONSTRAINT = "Registration failed due to a database constraint."
REGISTRATION_SERVER_ERROR = "Registration failed due to a server error."

# --- internal (logged, never sent) reasons ----------------------------------------------
INVALID_CREDENTIALS = "Invalid username or password."
# Resume validation order, auth.md §6; ACCOUNT_DISABLED is the fifth reason.
MISSING_TOKEN = "Missing session token."
INVALID_SESSION = "Invalid session."
SESSION_REVOKED = "Session has been revoked."
SESSION_EXPIRED = "Session has expired."

# --- HTTP cookie endpoints (auth.md §8), plain-text bodies ------------------------------
HTTP_MISSING_CLIENT_HEADER = "missing client header"
HTTP_MISSING_BEARER = "missing bearer token"
HTTP_INVALID_SESSION = "invalid session"
HTTP_MISSING_SESSION = "missing session"
HTTP_OK = "ok"
HTTP_CLEARED = "cleared"

# --- bootstrap / operator command (auth.md §16) -----------------------------------------
USERNAME_RULES = "Username rules: {min}-{max} chars, lowercase letters, numbers, underscore, dash."
PASSWORD_RULES = "Password rules: {min}-{max} chars."
ADMIN_EXISTS = "An admin account already exists."
PASSWORDS_DO_NOT_MATCH = "Passwords do not match."
ADMIN_CREATED = "Admin created: {username}"
ACCOUNT_CREATED = "Created {role} account {username}."

# --- admin packets (permissions.md §4) --------------------------------------------------
NOT_AUTHORIZED = "Not authorized."
ROLE_NAME_REQUIRED = "Role name is required."
ROLE_NAME_TOO_LONG = "Role name must be 32 characters or fewer."
ROLE_NAME_CHARACTERS = "Role name may include lowercase letters, numbers, underscores, and dashes only."
ROLE_EXISTS = "Role already exists."
ROLE_CREATED = "Created role {name}."
ADMIN_ROLE_LOCKED = "Admin role permissions are locked on."
ROLE_NOT_FOUND = "Role not found."
UNKNOWN_PERMISSION = "Unknown permission: {key}"
ROLE_PERMISSIONS_UPDATED = "Updated permissions for {role}."
ROLE_UNDELETABLE = "Admin and user roles cannot be deleted."
REPLACEMENT_SAME = "Replacement role must differ from deleted role."
REPLACEMENT_NOT_FOUND = "Replacement role not found."
ROLE_DELETED = "Deleted role {role}; reassigned {count} users to {replacement}."
USER_NOT_FOUND = "User not found."
LAST_ADMIN_ROLE = "Cannot change role for the last active admin."
LAST_ADMIN_BAN = "Cannot disable the last active admin."
USER_ROLE_SET = "Set role for {username} to {role}."
USER_BANNED = "Banned {username}."
USER_UNBANNED = "Unbanned {username}."
# Permanent account deletion (upstream-0.1 §8.3).
LAST_ADMIN_DELETE = "Cannot delete the last active admin."
ACCOUNT_DELETED_DONE = "Deleted account {username}."
ACCOUNT_DELETED = "Account deleted."
