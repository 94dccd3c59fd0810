// The pre-connect panel (client.md §2): login and register forms, the Connect button's
// label, the policy hint, the "Logged in as" view when a username is remembered, and the
// credentials the lifecycle sends on connect.
import { sanitizeUsername } from './text.js';

export class AuthPanel {
  constructor(doc, settings) {
    this.settings = settings;
    this.el = {
      panel: doc.getElementById('connect-panel'),
      heading: doc.getElementById('connect-heading'),
      form: doc.getElementById('auth-form'),
      fields: doc.getElementById('form-fields'),
      username: doc.getElementById('username'),
      password: doc.getElementById('password'),
      confirm: doc.getElementById('confirm-password'),
      email: doc.getElementById('email'),
      hint: doc.getElementById('policy-hint'),
      loggedIn: doc.getElementById('logged-in-as'),
      connect: doc.getElementById('connect-button'),
      toggle: doc.getElementById('mode-toggle'),
      logout: doc.getElementById('logout-button'),
      registerOnly: [...doc.querySelectorAll('.register-only')],
    };
    this.mode = 'login';
    this.el.toggle.addEventListener('click', () => this.setMode(this.mode === 'login' ? 'register' : 'login', { focus: true }));
    for (const input of [this.el.username, this.el.password, this.el.confirm, this.el.email]) {
      input.addEventListener('input', () => this.updateConnectLabel());
    }
    this.applyPolicy(settings.authPolicy);
    this.refresh();
  }

  setMode(mode, { focus = false } = {}) {
    this.mode = mode;
    const register = mode === 'register';
    for (const node of this.el.registerOnly) node.hidden = !register;
    this.el.heading.textContent = register ? 'Register' : 'Log in';
    this.el.toggle.textContent = register ? 'Log in instead' : 'Register';
    this.el.password.autocomplete = register ? 'new-password' : 'current-password';
    this.updateConnectLabel();
    if (focus) this.el.username.focus();
  }

  applyPolicy(policy) {
    this.policy = policy;
    this.el.hint.textContent = `Username: ${policy.usernameMinLength} to ${policy.usernameMaxLength} characters, lowercase letters, numbers, underscores and dashes. Password: ${policy.passwordMinLength} to ${policy.passwordMaxLength} characters.`;
    this.el.username.maxLength = policy.usernameMaxLength;
    this.el.password.maxLength = policy.passwordMaxLength;
    this.el.confirm.maxLength = policy.passwordMaxLength;
  }

  /** Show the forms, or the "Logged in as" view when a username is remembered. */
  refresh() {
    const remembered = this.settings.authUsername;
    this.el.fields.hidden = Boolean(remembered);
    this.el.toggle.hidden = Boolean(remembered);
    this.el.logout.hidden = !remembered;
    this.el.loggedIn.hidden = !remembered;
    this.el.loggedIn.textContent = remembered ? `Logged in as ${remembered}.` : '';
    if (remembered) this.el.heading.textContent = 'Welcome back';
    else this.setMode(this.mode);
    this.updateConnectLabel();
  }

  get usingSavedLogin() {
    return Boolean(this.settings.authUsername);
  }

  #filled() {
    return !this.usingSavedLogin && this.el.username.value.trim() !== '' && this.el.password.value !== '';
  }

  updateConnectLabel() {
    let label = 'Connect';
    if (this.#filled()) label = this.mode === 'register' ? 'Register & Connect' : 'Log In & Connect';
    this.el.connect.textContent = label;
  }

  /**
   * What to send on open: {kind: 'login'|'register', username, password, email} or null
   * (saved session), or {error} when the register form breaks the policy.
   */
  credentials() {
    if (!this.#filled()) return null;
    const username = sanitizeUsername(this.el.username.value);
    const password = this.el.password.value;
    if (this.mode === 'login') return { kind: 'login', username, password };
    const p = this.policy;
    if (username.length < p.usernameMinLength || username.length > p.usernameMaxLength) {
      return { error: `Username must be between ${p.usernameMinLength} and ${p.usernameMaxLength} characters.` };
    }
    if ([...password].length < p.passwordMinLength || [...password].length > p.passwordMaxLength) {
      return { error: `Password must be between ${p.passwordMinLength} and ${p.passwordMaxLength} characters.` };
    }
    if (password !== this.el.confirm.value) return { error: 'Passwords do not match.' };
    return { kind: 'register', username, password, email: this.el.email.value.trim() };
  }

  clearPasswords() {
    this.el.password.value = '';
    this.el.confirm.value = '';
    this.updateConnectLabel();
  }

  /**
   * After a successful login or registration, and on log out: no password stays in the
   * page and the form is the login form again (a registered name is logged in, not
   * registered a second time). The username stays filled in.
   */
  resetToLogin() {
    this.clearPasswords();
    this.el.email.value = '';
    this.mode = 'login';
    this.refresh();
  }

  /** Put focus where a keyboard user continues: the first empty field, or Connect. */
  focusStart() {
    if (this.usingSavedLogin) this.el.connect.focus();
    else if (!this.el.username.value) this.el.username.focus();
    else if (!this.el.password.value) this.el.password.focus();
    else this.el.connect.focus();
  }

  setBusy(busy) {
    this.el.connect.disabled = false;
    this.el.form.setAttribute('aria-busy', busy ? 'true' : 'false');
  }

  show(visible) {
    this.el.panel.hidden = !visible;
  }
}
