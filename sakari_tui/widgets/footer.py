"""The key bar: Textual's ``Footer``, with its keys in its first frame and rebuilt only when
the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer as TextualFooter

# Textual's footer composes no keys until the screen first announces its bindings, which it
# does only after a frame; this private reactive is what it waits on.
# tests/test_textual_private.py fails if a release renames it.
BINDINGS_READY = "_bindings_ready"


class Footer(TextualFooter):
    """Textual's footer waits for the screen to announce its bindings (after the first frame)
    before it shows any key, then rebuilds itself (removes every key, mounts new ones) after
    each change of the screen's bindings: while a screen starts, five or six rebuilds in a row
    with the same keys, each a frame of its own. This one composes the keys the screen has
    when it is mounted, so they are in the screen's first frame, and rebuilds only when what
    it would show differs from what it shows."""

    _shown: tuple[Any, ...] | None = None

    def __init__(self, *children: Any, **options: Any) -> None:
        super().__init__(*children, **options)
        self.set_reactive(getattr(TextualFooter, BINDINGS_READY), True)

    def _keys(self) -> tuple[Any, ...]:
        app = self.app
        keys: list[Any] = [self.show_command_palette, self.combine_groups, app.ENABLE_COMMAND_PALETTE]
        for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items():
            if binding.show or key == app.COMMAND_PALETTE_BINDING:
                group = binding.group
                keys.append((binding.key, app.get_key_display(binding), binding.description, binding.action,
                             enabled, tooltip, binding.tooltip, id(group) if group else None))  # fmt: skip
        return tuple(keys)

    def compose(self) -> Any:
        self._shown = self._keys()
        yield from super().compose()

    async def recompose(self) -> None:
        if self._keys() == self._shown:  # the same keys are on show already
            return
        await super().recompose()
