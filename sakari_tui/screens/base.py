"""What every screen of the app shares."""

from __future__ import annotations

from typing import Generic, TypeVar

from textual.screen import ModalScreen, Screen
from textual.worker import Worker

ResultType = TypeVar("ResultType")


class _ReportsWorkerErrors:
    # Worker.StateChanged does not bubble, so each screen passes it to the app's one handler.
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report = getattr(self.app, "report_worker_state", None)  # type: ignore[attr-defined]
        if report is not None:
            report(event)


class SakariScreen(_ReportsWorkerErrors, Screen[ResultType], Generic[ResultType]):
    pass


class SakariModal(_ReportsWorkerErrors, ModalScreen[ResultType], Generic[ResultType]):
    pass
