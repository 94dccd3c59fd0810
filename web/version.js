// The version of this browser client build. The server reads this exact line and reports
// the same string as welcome.serverInfo.version; it must equal chgrid.__version__.
window.CHGRID_WEB_VERSION = "0.1.0";
