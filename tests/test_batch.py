"""`tts batch`: script formats, per-line files, manifest, combined file, resume, interruption, errors, workers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from tts.cli.main import app
from tts.batch import BatchInterrupted, ScriptError, parse_script, render_batch
from tts.batch import render as render_module

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(tiny_models, *args: str):
    acoustic, vocoder = tiny_models
    return runner.invoke(app, ["batch", *args, "--acoustic", str(acoustic), "--vocoder", str(vocoder)])


def manifest(outdir: Path) -> list[dict]:
    return [json.loads(line) for line in (outdir / "manifest.jsonl").read_text().splitlines()]


def partial_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith((".part", ".tmp")))


# --- parsing ------------------------------------------------------------------------------------------------

def test_text_format_directives_prefixes_and_comments(tmp_path):
    script = parse_script(write(tmp_path / "lesson.txt", "\n".join([
        "# a comment",
        "",
        "Plain line in the default voice.",
        "@voice joe",
        "@speed 1.2",
        "Note: a colon is just text.",
        "@pause 1.5s",
        "@pause 250ms",
        "[joe speed=0.8] Prefixed line.",
        "[speed=2] Speed only.",
        "\\@home and [brackets] said as they are.",
        "Call {K AA1 L} me.",
        "@pause 2",
    ])), default_voice="joe", default_speed=1.0)
    assert script.errors == []
    got = [(i.id, i.line_no, i.voice, i.text, i.speed, i.pause_before) for i in script.items]
    assert got == [
        ("0003", 3, "joe", "Plain line in the default voice.", 1.0, 0.0),
        ("0006", 6, "joe", "Note: a colon is just text.", 1.2, 0.35),  # the default gap
        ("0009", 9, "joe", "Prefixed line.", 0.8, 1.75),  # @pause instead of the gap
        ("0010", 10, "joe", "Speed only.", 2.0, 0.35),
        ("0011", 11, "joe", "@home and [brackets] said as they are.", 1.2, 0.35),
        ("0012", 12, "joe", "Call {K AA1 L} me.", 1.2, 0.35),
    ]
    assert script.items[-1].pause_after == 2.0


def test_text_format_bad_lines_are_reported_by_line(tmp_path):
    path = write(tmp_path / "bad.txt", "\n".join([
        "Good line.", "@bogus 1", "@pause soon", "@pause 120", "@speed 9", "@voice", "[a/b] Bad name.",
        "[joe loud=1] Unknown setting.", "[joe] ", "[unclosed text", "Another good line.",
    ]))
    script = parse_script(path)
    assert [i.line_no for i in script.items] == [1, 11]
    reasons = {e.line: e.reason for e in script.errors}
    assert sorted(reasons) == list(range(2, 11))
    assert "unknown directive '@bogus'" in reasons[2]
    assert "bad pause" in reasons[3] and "limit" in reasons[4] and "out of range" in reasons[5]
    assert "takes one value" in reasons[6] and "invalid voice name" in reasons[7]
    assert "unknown setting 'loud'" in reasons[8] and "no text" in reasons[9] and "without ']'" in reasons[10]
    assert str(script.errors[0]) == f"{path}:2: {reasons[2]}"


def test_tables_and_json_lines_by_extension(tmp_path):
    pipes = parse_script(write(tmp_path / "a.tsv", "intro|Hello there.\n# skip\n\nq1|Is a | b pipe text?\n"))
    assert [(i.id, i.voice, i.text) for i in pipes.items] == [("intro", "joe", "Hello there."),
                                                              ("q1", "joe", "Is a | b pipe text?")]
    tabs = parse_script(write(tmp_path / "b.tsv", "one\tjoe\tFirst.\ntwo\t\tSecond, default voice.\n"),
                        default_voice="joe")
    assert [(i.id, i.voice, i.text) for i in tabs.items] == [("one", "joe", "First."),
                                                             ("two", "joe", "Second, default voice.")]
    header = parse_script(write(tmp_path / "c.tsv", "id\tvoice\tspeed\ttext\nx\tjoe\t1.5\tFast.\ny\t\t\tPlain.\n"),
                          default_speed=0.9)
    assert [(i.id, i.speed) for i in header.items] == [("x", 1.5), ("y", 0.9)]
    jsonl = parse_script(write(tmp_path / "d.jsonl", "\n".join([
        json.dumps({"id": "a", "voice": "joe", "text": "Hi.", "speed": 1.1}),
        json.dumps({"text": "No id: line number."}),
        "{not json",
        json.dumps({"id": "a", "text": "Duplicate."}),
        json.dumps({"text": "Typo.", "voise": "joe"}),
        json.dumps({"id": "../x", "text": "Bad id."}),
    ])))
    assert [(i.id, i.speed) for i in jsonl.items] == [("a", 1.1), ("0002", 1.0)]
    reasons = {e.line: e.reason for e in jsonl.errors}
    assert "not valid JSON" in reasons[3] and "duplicate id 'a'" in reasons[4]
    assert "unknown key(s) voise" in reasons[5] and "invalid id" in reasons[6]
    wrong = parse_script(write(tmp_path / "e.tsv", "a|joe|Three fields.\nb|Two fields.\n"))
    assert [e.line for e in wrong.errors] == [2] and "expected 3 fields" in wrong.errors[0].reason


def test_blank_lines_are_paragraph_pauses_and_gap_sets_the_pause_between_lines(tmp_path):
    script = parse_script(write(tmp_path / "chapter.txt", "\n".join([
        "\n",  # blank lines before the first line: no pause
        "First paragraph.", "Its second line.",
        "", "", "Second paragraph.",
        "@gap 0.1s", "Close line.",
        "", "@pause 2s", "An explicit pause wins.",
        "@gap 1s", "", "A paragraph is at least the gap.",
        "@gap soon", "@gap 61",
    ])))
    assert [(i.text, i.pause_before) for i in script.items] == [
        ("First paragraph.", 0.0), ("Its second line.", 0.35), ("Second paragraph.", 0.75), ("Close line.", 0.1),
        ("An explicit pause wins.", 2.0), ("A paragraph is at least the gap.", 1.0)]
    assert [e.reason for e in script.errors] == [
        "bad gap 'soon': use seconds or milliseconds, e.g. 1.5s or 500ms",
        "gap of 61 s is longer than the limit of 60 s (for milliseconds write e.g. 500ms)"]


def test_json_lines_pause_after_a_line(tmp_path):
    script = parse_script(write(tmp_path / "d.jsonl", "\n".join([
        json.dumps({"text": "One.", "pause": 1.5}), json.dumps({"text": "Two.", "pause": "500ms"}),
        json.dumps({"text": "Three."}), "", json.dumps({"text": "Four.", "pause": 0}),
        *(json.dumps({"text": "Bad.", "pause": bad}) for bad in (-1, True, "soon", 61, [1])),
        json.dumps({"text": "Last.", "pause": 2}),
    ])))
    assert [(i.text, i.pause_before) for i in script.items] == [
        ("One.", 0.0), ("Two.", 1.5), ("Three.", 0.5), ("Four.", 0.75), ("Last.", 0.0)]
    assert script.items[-1].pause_after == 2.0
    reasons = [e.reason for e in script.errors]
    assert [e.line for e in script.errors] == [6, 7, 8, 9, 10]
    assert reasons[0] == reasons[1] == reasons[3] == reasons[4]
    assert reasons[0] == '"pause" must be 0 to 60 seconds, e.g. 1.5 or "500ms"'
    assert "bad pause 'soon'" in reasons[2]


def test_csv_has_quoted_fields_commas_and_a_header(tmp_path):
    script = parse_script(write(tmp_path / "lines.csv", "\n".join([
        "id,voice,text",
        'intro,joe,"Hello, world."',
        'q2,,"She said ""hi"", then left."',
        "plain,joe,Unquoted, commas stay in the text.",
        'bad,joe,"unclosed',
    ])))
    assert [(i.id, i.voice, i.text) for i in script.items] == [
        ("intro", "joe", "Hello, world."), ("q2", "joe", 'She said "hi", then left.'),
        ("plain", "joe", "Unquoted, commas stay in the text.")]
    assert [e.line for e in script.errors] == [5] and "not valid CSV" in script.errors[0].reason
    pipes = parse_script(write(tmp_path / "pipes.csv", "intro|Hello.\n"))
    assert "name the file .tsv" in pipes.errors[0].reason


def test_missing_empty_or_undecodable_script_is_a_one_line_error(tmp_path, tiny_models):
    write(tmp_path / "empty.txt", "\n  \n")
    write(tmp_path / "comments.txt", "# only\n@voice joe\n")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9\n".encode("latin-1"))
    cases = [("missing.txt", "not found"), ("empty.txt", "empty"), ("comments.txt", "nothing to say"),
             ("latin1.txt", "not UTF-8")]
    for name, message in cases:
        result = run_cli(tiny_models, str(tmp_path / name), "-o", str(tmp_path / "out"))
        assert result.exit_code == 1, result.output
        assert message in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1
    with pytest.raises(ScriptError):
        parse_script(tmp_path / "missing.txt")


# --- rendering ----------------------------------------------------------------------------------------------

def test_renders_one_file_per_line_a_manifest_and_a_combined_file_with_pauses(tmp_path, tiny_models):
    script = write(tmp_path / "dialogue.txt", "First line.\n@pause 1.5s\n[joe speed=1.5] Second line.\n@pause 500ms\n")
    out = tmp_path / "out"
    result = run_cli(tiny_models, str(script), "-o", str(out), "--combine", str(tmp_path / "all.wav"))
    assert result.exit_code == 0, result.output
    assert "2 rendered, 0 unchanged, 0 failed" in result.output and "wrote" in result.output
    entries = manifest(out)
    assert [(e["id"], e["line"], e["voice"], e["text"], e["speed"], e["file"]) for e in entries] == [
        ("0001", 1, "joe", "First line.", 1.0, "0001.wav"), ("0003", 3, "joe", "Second line.", 1.5, "0003.wav")]
    for entry in entries:
        info = sf.info(out / entry["file"])
        assert info.samplerate == 16000 and abs(info.duration - entry["duration"]) < 1e-3
        assert len(entry["hash"]) == 64
    assert entries[0]["hash"] != entries[1]["hash"]
    combined = sf.info(tmp_path / "all.wav").duration
    assert combined == pytest.approx(sum(e["duration"] for e in entries) + 1.5 + 0.5, abs=2e-3)
    assert partial_files(tmp_path) == []

    flac = run_cli(tiny_models, str(script), "-o", str(tmp_path / "flac"), "--format", "flac")
    assert flac.exit_code == 0 and sf.info(tmp_path / "flac" / "0001.flac").format == "FLAC"


def test_csv_with_quoted_commas_renders_with_gaps_and_a_changed_pause_renders_nothing_again(tmp_path, tiny_models):
    script = write(tmp_path / "lines.csv", 'id,text\na,"Hello, world."\nb,"Yes, ""quoted"", fine."\n\nc,Last.\n')
    out, combined = tmp_path / "out", tmp_path / "all.wav"
    result = run_cli(tiny_models, str(script), "-o", str(out), "--combine", str(combined))
    assert result.exit_code == 0 and "3 rendered" in result.output, result.output
    entries = manifest(out)
    assert [e["text"] for e in entries] == ["Hello, world.", 'Yes, "quoted", fine.', "Last."]
    audio = sum(e["duration"] for e in entries)
    assert sf.info(combined).duration == pytest.approx(audio + 0.35 + 0.75, abs=2e-3)  # the gap, a paragraph

    write(script, script.read_text().replace("\n\n", "\n"))  # no paragraph: only the combined file changes
    result = run_cli(tiny_models, str(script), "-o", str(out), "--combine", str(combined))
    assert result.exit_code == 0 and "0 rendered, 3 unchanged" in result.output, result.output
    assert sf.info(combined).duration == pytest.approx(audio + 0.35 + 0.35, abs=2e-3)


def test_resume_skips_unchanged_lines_and_redoes_changed_ones(tmp_path, tiny_models):
    acoustic, vocoder = tiny_models
    script = write(tmp_path / "s.tsv", "a\tAlpha.\nb\tBravo.\nc\tCharlie.\n")
    out = tmp_path / "out"
    kwargs = dict(acoustic=acoustic, vocoder=vocoder)
    first = render_batch(parse_script(script), out, **kwargs)
    assert first.rendered == ["a", "b", "c"] and first.skipped == []
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.wav")}

    write(script, "a\tAlpha.\nb\tBravo, changed.\nc\tCharlie.\n")
    second = render_batch(parse_script(script), out, **kwargs)
    assert second.rendered == ["b"] and second.skipped == ["a", "c"]
    assert (out / "a.wav").stat().st_mtime_ns == stamps["a.wav"]
    assert [e["text"] for e in manifest(out)] == ["Alpha.", "Bravo, changed.", "Charlie."]

    faster = render_batch(parse_script(script, default_speed=1.3), out, **kwargs)  # a setting changed: all redone
    assert faster.rendered == ["a", "b", "c"]
    (out / "c.wav").unlink()  # a missing file is rendered again
    assert render_batch(parse_script(script, default_speed=1.3), out, **kwargs).rendered == ["c"]

    quieter = run_cli(tiny_models, str(script), "-o", str(out), "--speed", "1.3", "--volume", "-6")
    assert quieter.exit_code == 0 and "3 rendered, 0 unchanged" in quieter.output  # the level shapes the audio
    assert all(e["volume"] == -6.0 for e in manifest(out))

    result = run_cli(tiny_models, str(script), "-o", str(out), "--speed", "1.3", "--force")
    assert result.exit_code == 0 and "3 rendered, 0 unchanged" in result.output
    result = run_cli(tiny_models, str(script), "-o", str(out), "--speed", "1.3")
    assert result.exit_code == 0 and "0 rendered, 3 unchanged" in result.output


def test_interrupted_run_keeps_only_whole_files_and_the_next_run_does_the_rest(tmp_path, tiny_models, monkeypatch):
    script = write(tmp_path / "s.txt", "".join(f"Line number {n}.\n" for n in range(1, 7)))
    out = tmp_path / "out"
    (out / ".tts-batch.tmp").mkdir(parents=True)
    (out / ".tts-batch.tmp" / ".0006.wav.stale.part").write_bytes(b"left by a killed run")
    real_write = sf.SoundFile.write
    calls = []

    def write_then_interrupt(self, data):  # Ctrl-C in the middle of writing the third file
        calls.append(1)
        if len(calls) == 3:
            real_write(self, data[: len(data) // 2])
            raise KeyboardInterrupt
        return real_write(self, data)

    monkeypatch.setattr(sf.SoundFile, "write", write_then_interrupt)
    result = run_cli(tiny_models, str(script), "-o", str(out))
    assert result.exit_code == 130
    assert "interrupted: 2 of 6 lines done" in result.output and "again to resume" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["0001.wav", "0002.wav", "manifest.jsonl"]
    assert [e["id"] for e in manifest(out)] == ["0001", "0002"]

    monkeypatch.setattr(sf.SoundFile, "write", real_write)
    acoustic, vocoder = tiny_models
    resumed = render_batch(script, out, acoustic=acoustic, vocoder=vocoder)
    assert resumed.skipped == ["0001", "0002"] and resumed.rendered == ["0003", "0004", "0005", "0006"]
    assert len(manifest(out)) == 6 and partial_files(tmp_path) == []


def test_library_interrupt_raises_batch_interrupted(tmp_path, tiny_models, monkeypatch):
    script = write(tmp_path / "s.txt", "One.\nTwo.\n")
    acoustic, vocoder = tiny_models
    real = render_module.render_job

    def interrupt_second(job):
        if job.id == "0002":
            raise KeyboardInterrupt
        return real(job)

    monkeypatch.setattr(render_module, "render_job", interrupt_second)
    with pytest.raises(BatchInterrupted) as stop:
        render_batch(script, tmp_path / "out", acoustic=acoustic, vocoder=vocoder)
    assert stop.value.result.rendered == ["0001"] and stop.value.result.total == 2


def test_bad_lines_are_reported_the_rest_render_and_the_exit_code_is_1(tmp_path, tiny_models):
    script = write(tmp_path / "s.txt", "Good one.\n[nobody] Unknown voice.\n@pause never\n?!...\nGood two.\n")
    out = tmp_path / "out"
    result = run_cli(tiny_models, str(script), "-o", str(out), "--combine", str(tmp_path / "all.wav"))
    assert result.exit_code == 1
    assert f"{script}:2: unknown voice 'nobody'" in result.output
    assert f"{script}:3: bad pause" in result.output
    assert f"{script}:4: nothing to say" in result.output
    assert "2 rendered, 0 unchanged, 3 failed of 5 lines" in result.output
    assert "combined file not written" in result.output and not (tmp_path / "all.wav").exists()
    assert sorted(p.name for p in out.glob("*.wav")) == ["0001.wav", "0005.wav"]
    assert "Traceback" not in result.output


def test_strict_stops_at_the_first_error(tmp_path, tiny_models):
    bad_directive = write(tmp_path / "a.txt", "Good one.\n@bogus\nGood two.\n")
    result = run_cli(tiny_models, str(bad_directive), "-o", str(tmp_path / "a"), "--strict")
    assert result.exit_code == 1 and f"{bad_directive}:2: unknown directive" in result.output
    assert not list((tmp_path / "a").glob("*.wav"))  # script errors are found before anything is rendered

    unsayable = write(tmp_path / "b.txt", "Good one.\n?!...\nGood two.\nGood three.\n")
    result = run_cli(tiny_models, str(unsayable), "-o", str(tmp_path / "b"), "--strict")
    assert result.exit_code == 1 and f"{unsayable}:2: nothing to say" in result.output
    assert sorted(p.name for p in (tmp_path / "b").glob("*.wav")) == ["0001.wav"]
    assert [e["id"] for e in manifest(tmp_path / "b")] == ["0001"]


def test_bad_options_are_one_line_errors(tmp_path, tiny_models):
    script = write(tmp_path / "s.txt", "Hello.\n")
    blocker = write(tmp_path / "file", "x")
    cases = [(["--voice", "nobody"], "unknown voice"), (["--format", "xyz"], "unknown output format"),
             (["--speed", "9"], "out of range"), (["--combine", str(tmp_path / "all.xyz")], "unknown output format"),
             (["--volume", "20"], "volume"), (["--threads", "-1"], "threads")]
    for extra, message in cases:
        result = run_cli(tiny_models, str(script), "-o", str(tmp_path / "out"), *extra)
        assert result.exit_code == 1 and message in result.output, (extra, result.output)
        assert len(result.output.strip().splitlines()) == 1
    result = run_cli(tiny_models, str(script), "-o", str(blocker))
    assert result.exit_code == 1 and "is a file" in result.output


def test_help_documents_the_script_format():
    result = runner.invoke(app, ["batch", "--help"])
    assert result.exit_code == 0
    for piece in ("@voice", "@pause 1.5s", "[alice speed=0.9]", "id|voice|text", ".jsonl", "manifest.jsonl",
                  "tts batch lesson.txt"):
        assert piece in result.output, piece


def test_two_workers_and_ctrl_c_in_a_real_process(tmp_path, tiny_models):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) while two workers render."""
    acoustic, vocoder = tiny_models
    script = write(tmp_path / "s.txt", "".join(f"Short line {n}.\n" for n in range(1, 61)))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "tts.cli", "batch", str(script), "-o", str(out), "--workers", "2",
               "--acoustic", str(acoustic), "--vocoder", str(vocoder)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if (out / "manifest.jsonl").is_file() and (out / "manifest.jsonl").read_text().count("\n") >= 2:
            break
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted:" in stderr and "Traceback" not in stderr
    assert partial_files(tmp_path) == []
    done = {e["id"] for e in manifest(out)}
    assert 2 <= len(done) < 60
    assert {p.stem for p in out.glob("*.wav")} >= done
    resumed = render_batch(script, out, acoustic=acoustic, vocoder=vocoder)
    assert set(resumed.skipped) == done and len(resumed.rendered) == 60 - len(done)
    assert len(manifest(out)) == 60


def test_per_line_voices_and_a_changed_voice_redoes_only_its_lines(tmp_path, tiny_models, monkeypatch):
    voices = tmp_path / "voices"
    voices.mkdir()
    monkeypatch.setenv("TTS_VOICES_DIR", str(voices))

    def enroll(seed: int) -> None:
        vector = np.random.default_rng(seed).standard_normal(256)
        profile = {"schema_version": 1, "name": "alice", "embedding": (vector / np.linalg.norm(vector)).tolist()}
        (voices / "alice.json").write_text(json.dumps(profile))

    enroll(1)
    script = write(tmp_path / "dialogue.txt", "Same words.\n[alice] Same words.\n@voice alice\nHer line.\n"
                                              "[joe speed=1.2] His line.\n")
    out = tmp_path / "out"
    acoustic, vocoder = tiny_models
    first = render_batch(script, out, acoustic=acoustic, vocoder=vocoder)
    assert first.errors == [] and first.rendered == ["0001", "0002", "0004", "0005"]
    entries = manifest(out)
    assert [(e["voice"], e["speed"]) for e in entries] == [("joe", 1.0), ("alice", 1.0), ("alice", 1.0),
                                                           ("joe", 1.2)]
    joe, alice = (sf.read(out / name)[0] for name in ("0001.wav", "0002.wav"))
    assert joe.shape != alice.shape or not np.allclose(joe, alice)  # same text, another voice

    enroll(2)  # alice re-enrolled: only her lines are out of date
    again = render_batch(script, out, acoustic=acoustic, vocoder=vocoder)
    assert again.rendered == ["0002", "0004"] and again.skipped == ["0001", "0005"]
