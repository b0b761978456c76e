"""A batch's inputs and output names: one item per input, each with its own clip path.

The same input twice is one item; two inputs called ``photo.jpg`` in
different folders get ``photo.mp4`` and ``photo-2.mp4`` and are shown by
enough of their paths to tell them apart; names recorded in the progress
file are kept across runs. Unsafe outputs and unusable files are refused
before anything is spent, and what a killed run left half-written is swept.
"""

from __future__ import annotations

import contextlib
import glob
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nemo_skill.batch.progress import FINISHED, NEW, PROGRESS_NAME, ProgressFile, item_key
from nemo_skill.batch.report import FAILED, GenerateItem
from nemo_skill.client import check_upload
from nemo_skill.errors import NemoError, UsageError
from nemo_skill.paths import ensure_folder, is_url, resolve_output


@dataclass
class Item:
    """One input while the batch runs."""

    index: int
    source: str
    key: str
    name: str
    report: GenerateItem
    is_url: bool = False


def source_id(source: str) -> str:
    """How an input is recorded: its URL, or its absolute path."""
    return source if is_url(source) else str(Path(source).expanduser().resolve())


def _stem(source: str) -> str:
    name = source.rstrip("/").rsplit("/", 1)[-1] if is_url(source) else Path(source).name
    return Path(name).stem or "clip"


def _display_names(sources: Sequence[str]) -> list[str]:
    """File names; where two inputs share one, enough of their paths to tell them apart."""

    def tail(source: str, parts: int) -> str:
        if is_url(source):
            return source if parts > 1 else _stem(source)
        return "/".join(Path(source).parts[-parts:])

    names = [tail(s, 1) for s in sources]
    for parts in range(2, 64):
        counts: dict[str, int] = {}
        for name in names:
            counts[name] = counts.get(name, 0) + 1
        clashes = [i for i, name in enumerate(names) if counts[name] > 1]
        if not clashes:
            break
        for i in clashes:
            names[i] = tail(sources[i], parts)
    return names


def plan_items(sources: Sequence[str], scope: str, prompt: str) -> list[Item]:
    """One item per distinct input (the same file twice is one), in input order."""
    unique: list[str] = []
    for source in sources:
        if source not in unique and source_id(source) not in map(source_id, unique):
            unique.append(source)
    names = _display_names(unique)
    return [
        Item(
            n,
            src,
            item_key(scope, source_id(src), prompt),
            name,
            GenerateItem(input=src),
            is_url=is_url(src),
        )
        for n, (src, name) in enumerate(zip(unique, names, strict=True), start=1)
    ]


def folder_and_single(files: Sequence[str], output: str | Path | None) -> tuple[Path, Path | None]:
    """The output folder (created when missing), and the output file when ``-o`` names one
    (single input)."""
    out = Path(output).expanduser() if output else Path.cwd()
    if output and out.suffix.lower() == ".mp4" and not out.is_dir():
        if len(files) != 1:
            raise UsageError(
                "{next:output} names one file but several inputs were given.",
                hint="Pass a folder as {next:output} to get one clip per image.",
            )
        return ensure_folder(out.absolute().parent), out.absolute()
    # A missing folder is made, as the MCP tools do: the user named where the clips go.
    return ensure_folder(out), None


def assign_outputs(
    items: list[Item], progress: ProgressFile, folder: Path, single: Path | None
) -> None:
    """Each item's clip path: the recorded one, else ``<stem>.mp4`` made unique in the folder.

    Names recorded for other entries of the progress file are not reused.
    """
    taken = {
        str(e.get("output")).casefold()
        for e in progress.items.values()
        if isinstance(e, dict) and e.get("output")
    }
    for item in items:
        recorded = progress.entry(item.key).get("output")
        if single is not None:
            item.report.output = str(single)
        elif isinstance(recorded, str) and recorded:
            item.report.output = recorded
        else:
            stem, n = _stem(item.source), 1
            while True:
                candidate = folder / (f"{stem}.mp4" if n == 1 else f"{stem}-{n}.mp4")
                if str(candidate).casefold() not in taken:
                    break
                n += 1
            item.report.output = str(candidate)
        taken.add(str(item.report.output).casefold())


def sweep_leftovers(folder: Path, items: list[Item]) -> None:
    """Remove what a killed run left half-written: progress temps, this batch's partial clips.

    Safe under the folder lock: no other batch is writing here, and the partial
    downloads swept are named after this batch's own outputs.
    """
    patterns = [f"{glob.escape(PROGRESS_NAME)}.*.tmp"]
    patterns += [f".{glob.escape(Path(str(i.report.output)).name)}.*.part" for i in items]
    for pattern in patterns:
        for path in folder.glob(pattern):
            with contextlib.suppress(OSError):
                path.unlink()


def check_inputs(
    items: list[Item],
    progress: ProgressFile,
    say: Callable[[Item, str, str], None],
    *,
    force: bool,
    ours: set[str],
) -> list[Item]:
    """Refuse unsafe outputs before anything is spent; bad files fail alone, up front."""
    runnable: list[Item] = []
    for item in items:
        entry = progress.entry(item.key)
        out = str(item.report.output)
        finished = entry.get("stage") == FINISHED and Path(out).is_file()
        if not finished:
            # Our own clip from an earlier run of this batch may be replaced; anything else not.
            resolve_output(out, "clip", force=force or out in ours or entry.get("output") == out)
        runnable.append(item)
    for item in list(runnable):
        if not item.is_url and progress.entry(item.key).get("stage", NEW) == NEW:
            try:
                check_upload(Path(item.source))
            except NemoError as exc:
                runnable.remove(item)
                item.report.exit_code = exc.exit_code
                item.report.error = exc.to_record()
                say(item, f"failed: {exc.message}", FAILED)
    return runnable
