"""Walk raw StreamField data alongside its block definitions.

Export swaps document and image ids for references to files in the package;
import swaps them back for newly created objects and cleans every rich text
value through Wagtail's own whitelist, so a package can never smuggle markup
or point at objects of this site.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from wagtail import blocks

from wagtail_mentoring.journeys.interchange.safety import refuse

Leaf = Callable[[blocks.Block, Any], Any]


def walk(block: blocks.Block, raw: Any, leaf: Leaf, *, keep_ids: bool = True) -> Any:
    """A copy of ``raw`` with ``leaf(block, value)`` applied to every leaf block.

    Unknown block types and struct fields are refused or dropped, never kept.
    """
    if isinstance(block, blocks.StreamBlock):
        if not isinstance(raw, list):
            raise refuse(_("A step's content is not a list of blocks."), "bad_data")
        result = []
        for item in raw:
            if not isinstance(item, dict) or item.get("type") not in block.child_blocks:
                kind = item.get("type") if isinstance(item, dict) else "?"
                raise refuse(
                    _("Unknown kind of content “%(type)s”; nothing was imported.")
                    % {"type": str(kind)[:50]},
                    "unknown_block",
                )
            child = block.child_blocks[item["type"]]
            converted = {
                "type": item["type"],
                "value": walk(child, item.get("value"), leaf, keep_ids=keep_ids),
            }
            if keep_ids and item.get("id"):
                converted["id"] = str(item["id"])
            result.append(converted)
        return result
    if isinstance(block, blocks.ListBlock):
        if not isinstance(raw, list):
            raise refuse(_("A list in the package is not a list."), "bad_data")
        result = []
        for item in raw:
            if (
                isinstance(item, dict)
                and item.get("type") == "item"
                and "value" in item
            ):
                value = item["value"]
            else:
                value = item
            # ListBlock only recognises its item format when every item has an id.
            result.append(
                {
                    "type": "item",
                    "value": walk(block.child_block, value, leaf, keep_ids=keep_ids),
                    "id": str(item.get("id"))
                    if keep_ids and isinstance(item, dict) and item.get("id")
                    else str(uuid.uuid4()),
                }
            )
        return result
    if isinstance(block, blocks.StructBlock):
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise refuse(_("A block in the package has the wrong shape."), "bad_data")
        return {
            name: walk(child, raw[name], leaf, keep_ids=keep_ids)
            for name, child in block.child_blocks.items()
            if name in raw
        }
    return leaf(block, raw)


def is_file_reference(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("file"), str)
