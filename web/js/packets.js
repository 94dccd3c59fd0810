// The wire packets: schemas of every server→client packet (protocol.md §5–6), the one
// entry point that validates a decoded frame, and builders for client→server packets.
import {
  anyObject, anyOf, arrayOf, bool, int, nullable, number, object, oneOf, optional, recordOf, string,
} from './schema.js';

const posInt = () => int({ min: 1 });
const strings = () => arrayOf(string());
const position = { x: int(), y: int() };

const authPolicy = object({
  usernameMinLength: posInt(),
  usernameMaxLength: posInt(),
  passwordMinLength: posInt(),
  passwordMaxLength: posInt(),
});

const menuAction = object({ id: string(), label: string(), tooltip: optional(string()) });

// uiDefinitions.itemManagement actions (upstream-0.1 §5.3): which permissions allow each.
const managementAction = object({
  id: string(), label: string(), tooltip: optional(string()),
  anyPermission: optional(string()), ownPermission: optional(string()),
});

const userEntry = object({ id: string(), userId: optional(nullable(string())), nickname: string(), ...position });

export const item = object({
  id: string(),
  type: string({ min: 1 }),
  title: string(),
  x: int(),
  y: int(),
  createdBy: string(),
  updatedBy: string(),
  createdAt: int(),
  updatedAt: int(),
  version: int(),
  capabilities: strings(),
  params: anyObject(),
  useSound: optional(string()),
  emitSound: optional(string()),
  carrierId: optional(nullable(string())),
  display: optional(recordOf(string())),
});

const propertyMetadata = object({
  valueType: optional(oneOf(['boolean', 'text', 'number', 'list', 'sound'])),
  label: optional(string()),
  tooltip: optional(string()),
  maxLength: optional(posInt()),
  options: optional(strings()),
  visibleWhen: optional(recordOf(anyOf(string(), number(), bool()))),
  range: optional(object({ min: number(), max: number(), step: optional(number()) })),
});

const itemTypeDefinition = object({
  type: string({ min: 1 }),
  label: optional(string()),
  tooltip: optional(string()),
  capabilities: optional(strings()),
  editableProperties: strings(),
  propertyMetadata: optional(recordOf(propertyMetadata)),
  globalProperties: optional(anyObject()),
});

const uiDefinitions = object({
  itemTypeOrder: optional(arrayOf(string({ min: 1 }))),
  itemTypes: optional(arrayOf(itemTypeDefinition)),
  adminMenu: optional(object({ actions: arrayOf(menuAction) })),
  commandMetadata: optional(object({ mainModeActions: arrayOf(menuAction) })),
  itemManagement: optional(object({ actions: arrayOf(managementAction) })),
});

const welcome = object({
  id: string(),
  player: userEntry,
  users: arrayOf(userEntry),
  items: optional(arrayOf(item)),
  worldConfig: optional(object({
    gridSize: posInt(),
    movementTickMs: optional(posInt()),
    movementMaxStepsPerTick: optional(posInt()),
  })),
  uiDefinitions: optional(uiDefinitions),
  serverInfo: optional(object({ instanceId: string(), version: optional(string()) })),
  auth: optional(object({
    authenticated: bool(),
    userId: optional(nullable(string())),
    username: optional(nullable(string())),
    role: optional(nullable(string())),
    permissions: optional(strings()),
    policy: optional(authPolicy),
  })),
});

const ITEM_ACTIONS = ['add', 'pickup', 'drop', 'delete', 'transfer', 'use', 'secondary_use', 'update'];
const ADMIN_ACTIONS = ['role_create', 'role_update_permissions', 'role_delete', 'user_set_role', 'user_ban', 'user_unban',
  'user_delete'];

/** Schemas of the body of each server packet type (the `type` field itself excluded). */
export const SERVER_PACKETS = {
  auth_required: object({ message: string(), authPolicy: optional(authPolicy) }),
  auth_result: object({
    ok: bool(),
    message: string(),
    sessionToken: optional(string()),
    username: optional(string()),
    role: optional(string()),
    permissions: optional(strings()),
    adminMenuActions: optional(arrayOf(menuAction)),
    nickname: optional(string()),
    authPolicy: optional(authPolicy),
  }),
  auth_permissions: object({
    role: string(), permissions: strings(), adminMenuActions: optional(arrayOf(menuAction)),
  }),
  admin_roles_list: object({
    roles: arrayOf(object({
      id: int(), name: string(), isSystem: bool(), userCount: int({ min: 0 }), permissions: strings(),
    })),
    permissionKeys: strings(),
    permissionTooltips: optional(recordOf(string())),
  }),
  admin_users_list: object({
    users: arrayOf(object({
      id: string(), username: string(), role: string(), status: oneOf(['active', 'disabled']),
    })),
  }),
  admin_action_result: object({ ok: bool(), action: oneOf(ADMIN_ACTIONS), message: string() }),
  welcome,
  signal: object({
    senderId: string(), senderNickname: string(), ...position, sdp: optional(anyObject()), ice: optional(anyObject()),
  }),
  update_position: object({ id: string(), ...position }),
  teleport_complete: object({ id: string(), ...position }),
  update_nickname: object({ id: string(), nickname: string({ min: 1, max: 32 }) }),
  user_left: object({ id: string() }),
  chat_message: object({
    message: string(),
    senderId: optional(string()),
    senderNickname: optional(string()),
    system: optional(bool()),
    action: optional(bool()),
  }),
  pong: object({ clientSentAt: int() }),
  nickname_result: object({
    accepted: bool(), requestedNickname: string(), effectiveNickname: string(), reason: optional(string()),
  }),
  item_upsert: object({ item }),
  item_remove: object({ itemId: string() }),
  item_action_result: object({
    ok: bool(), action: oneOf(ITEM_ACTIONS), message: string(), itemId: optional(string()),
  }),
  item_transfer_targets: object({
    itemId: string(),
    targets: arrayOf(object({ userId: string(), username: string(), online: bool() })),
  }),
  item_use_sound: object({
    itemId: string(), sound: string(), ...position, range: optional(posInt()),
  }),
  item_clock_announce: object({
    itemId: string(), sounds: strings(), ...position, range: optional(posInt()),
  }),
  item_piano_note: object({
    itemId: string(),
    senderId: string(),
    keyId: string(),
    midi: int({ min: 0, max: 127 }),
    on: bool(),
    instrument: string(),
    voiceMode: oneOf(['mono', 'poly']),
    octave: int({ min: -2, max: 2 }),
    attack: int({ min: 0, max: 100 }),
    decay: int({ min: 0, max: 100 }),
    release: int({ min: 0, max: 100 }),
    brightness: int({ min: 0, max: 100 }),
    ...position,
    emitRange: posInt(),
  }),
  item_piano_status: object({
    itemId: string(),
    event: oneOf(['use_mode_entered', 'record_started', 'record_paused', 'record_resumed',
      'record_stopped', 'playback_started', 'playback_stopped']),
    recordingState: optional(oneOf(['idle', 'recording', 'paused', 'playback'])),
  }),
  // chgrid's answer to a bad client packet (not in the reference protocol).
  protocol_error: object({ message: string(), packetType: optional(string()) }),
};

/**
 * Decode and validate one text frame.
 * @returns {{ok: true, packet: object} | {ok: false, reason: string}}
 */
export function parseServerFrame(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON (${error.message})` };
  }
  return validateServerPacket(value);
}

/** Validate an already decoded packet against the schema of its type. */
export function validateServerPacket(value) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'packet is not an object' };
  }
  const { type } = value;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(SERVER_PACKETS, type)) {
    return { ok: false, reason: `unknown packet type ${JSON.stringify(type)}` };
  }
  const error = SERVER_PACKETS[type](value, type);
  return error ? { ok: false, reason: error } : { ok: true, packet: value };
}

/** Builders of client→server packets (protocol.md §4). */
export const out = {
  login: (username, password) => ({ type: 'auth_login', username, password }),
  register: (username, password, email) => (email
    ? { type: 'auth_register', username, password, email }
    : { type: 'auth_register', username, password }),
  logout: () => ({ type: 'auth_logout' }),
  position: (x, y) => ({ type: 'update_position', x, y }),
  teleportComplete: (x, y) => ({ type: 'teleport_complete', x, y }),
  nickname: (nickname) => ({ type: 'update_nickname', nickname }),
  chat: (message) => ({ type: 'chat_message', message }),
  ping: (clientSentAt) => ({ type: 'ping', clientSentAt }),
};
