// The version of this browser client build. The server reads these exact lines (quoted
// literals only): CHGRID_WEB_VERSION is reported as welcome.serverInfo.version (the
// 2026-02-28 reload rule; it must equal chgrid.__version__), CHGRID_RELEASE_VERSION as
// releaseVersion and CHGRID_CLIENT_REVISION as expectedClientRevision (the v0.1.0 rule:
// a client reloads when its revision differs). Bump the revision with every client change.
window.CHGRID_WEB_VERSION = "0.1.0";
window.CHGRID_RELEASE_VERSION = "0.1.0";
window.CHGRID_CLIENT_REVISION = "R13";
