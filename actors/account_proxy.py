"""``AccountProxy``: the typed interface of the AccountActor's proxy.

Every call returns a ``pykka.Future`` of the method's result, so tools and tests follow
each call from the web handlers and the rooms into ``chgrid.actors.account.AccountActor``
(the Mopidy style of ``pykka.typing``). Obtain one with::

    account = cast(AccountProxy, AccountActor.start(...).proxy())
"""
from __future__ import annotations

import pykka
from pykka.typing import ActorMemberMixin, proxy_method

from chgrid.actors.account import AccountActor


class AccountProxy(ActorMemberMixin, pykka.ActorProxy[AccountActor]):
    """The AccountActor's messages, typed."""

    ready = proxy_method(AccountActor.ready)
    # logins and sessions
    find_login = proxy_method(AccountActor.find_login)
    complete_login = proxy_method(AccountActor.complete_login)
    register = proxy_method(AccountActor.register)
    resume = proxy_method(AccountActor.resume)
    revoke = proxy_method(AccountActor.revoke)
    purge_expired_tokens = proxy_method(AccountActor.purge_expired_tokens)
    # last nickname and position
    save_state = proxy_method(AccountActor.save_state)
    save_states = proxy_method(AccountActor.save_states)
    # roles, permissions and administration
    authority = proxy_method(AccountActor.authority)
    list_roles = proxy_method(AccountActor.list_roles)
    list_users = proxy_method(AccountActor.list_users)
    create_role = proxy_method(AccountActor.create_role)
    update_role_permissions = proxy_method(AccountActor.update_role_permissions)
    delete_role = proxy_method(AccountActor.delete_role)
    set_user_role = proxy_method(AccountActor.set_user_role)
    ban = proxy_method(AccountActor.ban)
    unban = proxy_method(AccountActor.unban)
    delete_account = proxy_method(AccountActor.delete_account)
    active_accounts = proxy_method(AccountActor.active_accounts)
    create_account = proxy_method(AccountActor.create_account)
    active_admin_exists = proxy_method(AccountActor.active_admin_exists)
    # change notices from other processes
    events_after = proxy_method(AccountActor.events_after)
    latest_event_id = proxy_method(AccountActor.latest_event_id)
