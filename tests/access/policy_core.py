"""Who may call the foundation's endpoints. PUBLIC means no login needed."""
from portal.auth.roles import ALL_ROLES, Role

PUBLIC = "public"
LOGGED_IN = "logged-in"  # any role, also while a password change is pending

POLICY = {
    "auth.login": PUBLIC,
    "healthz": PUBLIC,
    "auth.logout": LOGGED_IN,
    "auth.change_password": LOGGED_IN,
    "auth.second_factor": PUBLIC,  # serves only a session that passed the password step
    "auth.two_factor": LOGGED_IN,
    "home.index": ALL_ROLES,
}
_ = Role
