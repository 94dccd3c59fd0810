"""Deleting an account from the admin menu (upstream-0.1 §17): the "Delete account" entry
with its tooltip, the user list, the yes/no confirmation starting on No, the deletion
ending the account's session at once and the account leaving the list. axe-core finds
no violations in the list and the confirmation. `root` is created before the server
starts."""
import pytest
from playwright.sync_api import expect

from test_admin_menus import join_root

pytestmark = pytest.mark.admin_account("root", "rootpass123")


def test_delete_account_with_confirmation(new_player):
    root = join_root(new_player)
    bob = new_player()
    bob.open()
    bob.register("bob")
    root.wait_for("bob has logged in.")

    root.do("Shift+Z", "Admin. Role management.")
    root.do("Space", "Manage roles and their permission sets.")
    root.do("d", "Delete account")
    root.do("Space", "Delete a user account permanently.")
    root.do("Enter", "Loading users...")
    root.wait_for("Users. bob, user, active.")
    root.audit("account deletion list")
    root.do("Enter", "Delete account bob? No.")
    root.audit("account deletion confirmation")
    root.do("Escape", "bob, user, active.")
    assert bob.page.locator("#game").is_visible()
    root.do("Enter", "Delete account bob? No.")
    root.do("ArrowDown", "Yes")
    root.do("Enter", "Deleting account bob...")
    root.wait_for("Deleted account bob.")
    root.wait_for("bob has logged out.")
    # bob is gone from the list, which stays open on the remaining account
    expect(root.page.locator("#menu-panel li")).to_have_count(1)
    expect(root.page.locator("#menu-panel li[aria-current='true']")).to_have_text("root, admin, active.")

    # bob's page is back at the login screen
    expect(bob.page.locator("#game")).to_be_hidden()
    expect(bob.page.locator("#connect-panel")).to_be_visible()
    root.do("Escape", "Delete account")
    root.do("Escape", "Cancelled.")
