"""How many items a batch runs at once: ``--jobs``, the setting, or the backend's default.

The only place the batch looks at which backend it talks to (the embedded
one's render workers), so how that backend is started can change in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from nemo_skill.errors import UsageError
from nemo_skill.settings import LOCAL_API_URL, MAX_BATCH_JOBS

if TYPE_CHECKING:
    from nemo_skill.client import NemoClient

CLOUD_JOBS: Final = 3  # the cloud's default: enough to overlap renders, gentle on rate limits
MAX_JOBS: Final = MAX_BATCH_JOBS  # one limit for --jobs and `config set batch_jobs`


def default_jobs(client: NemoClient) -> int:
    """``config set batch_jobs``, else 3 against the cloud, else (embedded) its render workers."""
    if client.settings.batch_jobs:
        return client.settings.batch_jobs
    if client.settings.scope == LOCAL_API_URL:
        from nemo_skill.backends import render_workers  # only when the embedded backend runs

        return max(1, min(CLOUD_JOBS, render_workers()))
    return CLOUD_JOBS


def check_jobs(jobs: int) -> int:
    """``jobs`` if it is a sensible pool size, else :class:`UsageError`."""
    if not 1 <= jobs <= MAX_JOBS:
        raise UsageError(
            f"{{next:jobs}} must be between 1 and {MAX_JOBS}, not {jobs}.",
            hint=f"Use {{next:jobs}} with {CLOUD_JOBS} (the default against the cloud).",
        )
    return jobs
