"""The admin menus from the keyboard (Shift+Z, client.md §4.8): creating a role and
granting it a permission, giving a user that role and the user's menu following the
live auth_permissions pushes, banning (which closes the user's page session with the
notice) and unbanning, and deleting a role with a replacement. Every admin menu and the
role-name editor pass an axe-core audit while open. `root` is created with
`chgrid admin create` before the server starts."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.admin_account("root", "rootpass123")


def join_root(new_player):
    root = new_player()
    root.open()
    root.login("root", "rootpass123")
    root.wait_joined()
    return root


def nothing_happens(player, key: str) -> None:
    """Press `key`, then C; once the coordinates are spoken, `key` said nothing."""
    before = len(player.said())
    player.page.keyboard.press(key)
    player.do_match("c", r"^\d+, \d+$")
    assert len(player.said()) == before + 1, player.said()[before:]


def test_create_role_grant_permission_and_live_menu(new_player, artifacts):
    root = join_root(new_player)
    bob = new_player()
    bob.open()
    bob.register("bob")
    root.wait_for("bob has logged in.")
    bob.do("Shift+Z", "No admin actions available.")  # a plain user has no admin menu
    assert bob.page.evaluate("chgrid.game.mode.name") == "normal"

    root.do("Shift+Z", "Admin. Role management.")
    expect(root.page.locator("#menu-panel h3")).to_contain_text("Admin")
    root.audit("admin root menu")
    root.do("ArrowDown", "Change user role")
    root.do("ArrowDown", "Ban user")
    root.do("ArrowDown", "Unban user")
    root.do("ArrowDown", "Delete account")
    root.do("ArrowDown", "Role management")
    root.do("Enter", "Loading roles...")
    root.wait_for("Roles. admin, 1")
    root.do("ArrowDown", "editor, 0")
    root.audit("role list")
    root.do("End", "Add role")
    root.do("Enter", "New role name.")
    root.audit("role name editor")
    root.page.keyboard.type("Mods")
    root.do("Enter", "Creating role mods...")
    root.wait_for("Created role mods.")
    root.wait_for("mods, 0")  # the refreshed list, on the new role

    root.do("Enter", "mods permissions. account.delete.any: off")
    root.audit("permission list")
    root.page.locator("#game").screenshot(path=str(artifacts / "admin-permissions.png"))
    root.do("u", "user.ban_unban: off")
    root.do("Space", "Allow banning and unbanning users.")
    root.do("Enter", "user.ban_unban: on")
    root.do("Escape", "mods, 0")
    root.do("Escape", "Role management")

    root.do("ArrowDown", "Change user role")
    root.do("Enter", "Loading users...")
    root.wait_for("Users. bob, user, active.")
    root.audit("user list")
    root.do("Enter", "Select new role for bob.")
    root.wait_for("Roles. user.")  # bob's role is preselected
    root.audit("role choice")
    root.do("m", "mods")
    root.do("Enter", "bob, mods, active.")

    # bob's menu appears without reconnecting, with what the role allows
    bob.page.wait_for_function("chgrid.game.state.adminActions.length === 2")
    bob.do("Shift+Z", "Admin. Ban user.")
    bob.do("ArrowDown", "Unban user")
    bob.do("ArrowDown", "Ban user")

    # and closes when the permission is taken away while it is open
    root.do("Escape", "Change user role")
    root.do("Home", "Role management")
    root.do("Enter", "Loading roles...")
    root.wait_for("Roles. admin, 1")
    root.do("m", "mods, 1")
    root.do("Enter", "mods permissions.")
    root.do("u", "user.ban_unban: on")
    root.do("Enter", "user.ban_unban: off")
    bob.wait_for("Admin menu closed.")
    bob.do("Shift+Z", "No admin actions available.")
    root.do("Escape", "mods, 1")
    root.do("Escape", "Role management")
    root.do("Escape", "Cancelled.")
    expect(root.page.locator("#menu-panel")).to_be_hidden()


def test_ban_closes_the_session_and_unban(new_player):
    root = join_root(new_player)
    bob = new_player()
    bob.open()
    bob.register("bob")
    root.wait_for("bob has logged in.")

    root.do("Shift+Z", "Admin. Role management.")
    root.do("b", "Ban user")
    root.do("Enter", "Loading users...")
    root.wait_for("Users. bob, user, active.")
    root.do("Enter", "Banned bob.")
    root.wait_for("bob has logged out.")
    expect(root.page.locator("#menu-panel li[aria-current='true']")).to_have_text("root, admin, active.")

    # bob's page: the session is closed with the server's notice, back to the login screen
    expect(bob.page.locator("#connection-status")).to_contain_text("Account is disabled.")
    expect(bob.page.locator("#game")).to_be_hidden()
    expect(bob.page.locator("#connect-panel")).to_be_visible()
    bob.page.wait_for_timeout(6000)  # no reconnect attempt follows
    expect(bob.page.locator("#game")).to_be_hidden()
    assert not any("Reconnect" in line for line in bob.said())

    root.do("Escape", "Ban user")
    root.do("u", "Unban user")
    root.do("Enter", "Loading users...")
    root.wait_for("Users. bob, user, disabled.")
    root.do("Enter", "Unbanned bob.")
    root.wait_for("No users available.")
    root.do("Escape", "Cancelled.")


def test_delete_role_with_replacement(new_player):
    root = join_root(new_player)
    root.do("Shift+Z", "Admin. Role management.")
    root.do("Enter", "Roles. admin, 1")
    root.do("Enter", "admin permissions.")
    root.do("End", "Delete role admin")
    root.do("Enter", "Admin and user roles cannot be deleted.")
    root.do("Home", "account.delete.any: on")
    root.do("Enter", "account.delete.any: off")
    root.wait_for("Admin role permissions are locked on.")  # refused by the server, and re-read
    root.page.wait_for_function(
        "document.querySelector('#menu-panel li[aria-current]').textContent === 'account.delete.any: on'")
    root.do("Escape", "admin, 1")
    root.do("g", "guest, 0")
    root.do("Enter", "guest permissions.")
    root.do("End", "Delete role guest")
    root.do("Enter", "Replacement role: user.")
    root.audit("replacement role list")
    root.do("ArrowUp", "editor")
    root.do("Enter", "Deleting guest...")
    root.wait_for("Deleted role guest; reassigned 0 users to editor.")
    root.page.wait_for_function(
        "![...document.querySelectorAll('#menu-panel li')].some(li => li.textContent.startsWith('guest'))")
    root.do("Escape", "Role management")
    root.do("Escape", "Cancelled.")
