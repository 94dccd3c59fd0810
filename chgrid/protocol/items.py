"""Outbound schemas of the item object and of ``welcome.uiDefinitions``.

These follow items.md §1 (item wire format), §2 (``display``), §9 (uiDefinitions and
property metadata) and the reference client's drop rules (protocol.md §6).  They are
outbound-only: loading a payload through them validates it and drops optional
``None`` values, so the result is exactly what goes on the wire.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema
from marshmallow.validate import Length, OneOf, Range

from .fields import (
    JsonObject,
    Obj,
    ScalarValue,
    StrictBoolean,
    StrictInteger,
    StrictList,
    StrictNumber,
    StrictString,
    StringMap,
)

__all__ = [
    "OutboundSchema",
    "Str",
    "OptStr",
    "Int",
    "PosInt",
    "Bool",
    "StrList",
    "ItemSchema",
    "PropertyRangeSchema",
    "PropertyMetadataSchema",
    "ItemTypeDefinitionSchema",
    "AdminMenuActionSchema",
    "AdminMenuSchema",
    "UiDefinitionsSchema",
    "VALUE_TYPES",
]

VALUE_TYPES = ("boolean", "text", "number", "list", "sound")

_POSITIVE = Range(min=1)
_NON_EMPTY = Length(min=1)


class OutboundSchema(Schema):
    """Base of every server→client schema.

    Unknown keys raise: an extra key in a server payload is a leak of internal state
    or a misspelt field, and either is a bug worth failing on.
    """

    class Meta:
        unknown = RAISE


# Field factories keep the schema declarations one line each.
def Str(**kw) -> StrictString:  # noqa: N802 - reads like a type in declarations
    """Required string."""
    return StrictString(required=True, **kw)


def OptStr(**kw) -> StrictString:  # noqa: N802
    """Optional string: omitted from the wire when absent or ``None``."""
    return StrictString(omit_none=True, **kw)


def Int(**kw) -> StrictInteger:  # noqa: N802
    """Required integer (a real int, never bool/float)."""
    return StrictInteger(required=True, **kw)


def PosInt(**kw) -> StrictInteger:  # noqa: N802
    """Required positive integer."""
    return StrictInteger(required=True, validate=_POSITIVE, **kw)


def Bool(**kw) -> StrictBoolean:  # noqa: N802
    """Required boolean."""
    return StrictBoolean(required=True, **kw)


def StrList(**kw) -> StrictList:  # noqa: N802
    """Required array of strings."""
    kw.setdefault("required", True)
    return StrictList(StrictString(), **kw)


class ItemSchema(OutboundSchema):
    """One item (items.md §1), fields in reference order."""

    id = Str()
    type = Str(validate=_NON_EMPTY)
    title = Str()
    x = Int()
    y = Int()
    createdBy = Str()
    # The client does not check the two name fields, but items.md §1 always sends
    # them, so a missing one means the item helper forgot it.
    createdByName = Str()
    updatedBy = Str()
    updatedByName = Str()
    createdAt = Int()
    updatedAt = Int()
    version = Int()
    capabilities = StrList()
    # A null useSound/emitSound makes the client drop the whole welcome; omit instead.
    useSound = OptStr()
    emitSound = OptStr()
    params = JsonObject(required=True, deep=True)
    carrierId = OptStr(wire_null_ok=True)
    display = StringMap(StrictString(), required=True)


class PropertyRangeSchema(OutboundSchema):
    """``range`` of a number property: ``{min, max, step?}``."""

    min = StrictNumber(required=True)
    max = StrictNumber(required=True)
    step = StrictNumber(omit_none=True)


class PropertyMetadataSchema(OutboundSchema):
    """One ``propertyMetadata`` entry (items.md §9, §9.2)."""

    valueType = Str(validate=OneOf(VALUE_TYPES))
    label = OptStr()
    tooltip = OptStr()
    maxLength = StrictInteger(omit_none=True, validate=_POSITIVE)
    options = StrList(required=False, omit_none=True)
    range = Obj(PropertyRangeSchema, omit_none=True)
    visibleWhen = StringMap(ScalarValue(), omit_none=True)


class ItemTypeDefinitionSchema(OutboundSchema):
    """One ``uiDefinitions.itemTypes[]`` entry."""

    type = Str(validate=_NON_EMPTY)
    # The client accepts label/tooltip absent but not null.
    label = OptStr()
    tooltip = OptStr()
    capabilities = StrList()
    editableProperties = StrList()
    propertyMetadata = StringMap(Obj(PropertyMetadataSchema), required=True)
    globalProperties = JsonObject(required=True, deep=True)


class AdminMenuActionSchema(OutboundSchema):
    """``{id, label, tooltip}`` admin menu entry (permissions.md §7, upstream-0.1.md §8.5)."""

    id = Str()
    label = Str()
    tooltip = Str()


class CommandActionSchema(OutboundSchema):
    """``uiDefinitions.commandMetadata.mainModeActions[]`` (upstream-0.1.md §5.3)."""

    id = Str()
    label = Str()
    tooltip = Str()


class CommandMetadataSchema(OutboundSchema):
    mainModeActions = Obj(CommandActionSchema, many=True, required=True)


class ItemManagementActionSchema(OutboundSchema):
    """``uiDefinitions.itemManagement.actions[]``: a ``Z``-menu entry and its permissions."""

    id = Str()
    label = Str()
    tooltip = Str()
    anyPermission = Str()
    ownPermission = Str()


class ItemManagementSchema(OutboundSchema):
    actions = Obj(ItemManagementActionSchema, many=True, required=True)


class AdminMenuSchema(OutboundSchema):
    actions = Obj(AdminMenuActionSchema, many=True, required=True)


class UiDefinitionsSchema(OutboundSchema):
    """``welcome.uiDefinitions`` (items.md §9)."""

    itemTypeOrder = StrictList(StrictString(validate=_NON_EMPTY), required=True)
    itemTypes = Obj(ItemTypeDefinitionSchema, many=True, required=True)
    commandMetadata = Obj(CommandMetadataSchema, required=True)
    itemManagement = Obj(ItemManagementSchema, required=True)
    adminMenu = Obj(AdminMenuSchema, required=True)
