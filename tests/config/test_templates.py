"""Channel formats and templates in channels.yaml: checked at load, every fault at its file:line:col,
template files read from inside the configuration directory only."""

from __future__ import annotations

from pathlib import Path

from monitor.config import check_config, load_config
from tests.config.conftest import WriteConfig, rendered


def channels(templates: str, fmt: str = "markdown") -> str:
    return (
        "channels:\n"
        "  - name: analysts\n"
        '    urls: ["json://localhost:8099/alerts"]\n'
        f"    format: {fmt}\n"
        "    templates:\n" + templates
    )


def test_a_template_syntax_error_is_located_in_channels_yaml(write_config: WriteConfig) -> None:
    template = "      alert: |\n        Hello\n        {{ title }\n"
    directory = write_config({"channels.yaml": channels(template)})
    assert rendered(check_config(directory), directory) == (
        "channels.yaml:8:18: template alert: syntax error: unexpected '}'\n"
        "            {{ title }\n"
        "                     ^"
    )


def test_a_template_file_error_is_located_in_that_file(write_config: WriteConfig) -> None:
    directory = write_config({"channels.yaml": channels("      digest: {file: templates/digest.md}\n")})
    (directory / "templates").mkdir()
    (directory / "templates" / "digest.md").write_text(
        "{% for group in rules %}\n**{{ group.rule }}** {{ group.nme }}\n{% endfor %}\n", encoding="utf-8"
    )
    assert rendered(check_config(directory), directory) == (
        "templates/digest.md:2:31: 'dict object' has no attribute 'nme'\n"
        "    **{{ group.rule }}** {{ group.nme }}\n"
        "                                  ^^^"
    )


def test_a_template_that_reaches_for_python_internals_is_refused_at_load(write_config: WriteConfig) -> None:
    directory = write_config({"channels.yaml": channels("      title: \"{{ ''.__class__ }}\"\n")})
    (problem,) = check_config(directory)
    assert (problem.line, problem.column) == (6, 21)
    assert problem.message == "template title: access to attribute '__class__' of 'str' object is unsafe."


def test_unknown_names_and_formats_are_reported(write_config: WriteConfig) -> None:
    directory = write_config({"channels.yaml": channels("      alert: '{{ titel }}'\n", fmt="rtf")})
    messages = [problem.message for problem in check_config(directory)]
    assert messages == ["format: expected 'text', 'markdown' or 'html', got text 'rtf'"]
    directory = write_config({"channels.yaml": channels("      alert: '{{ titel }}'\n")})
    messages = [problem.message for problem in check_config(directory)]
    assert messages == ["template alert: 'titel' is undefined"]


def test_template_files_outside_the_directory_or_missing_are_refused(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    (tmp_path / "secret.txt").write_text("{{ title }}", encoding="utf-8")
    directory = write_config(
        {"channels.yaml": channels("      alert: {file: ../secret.txt}\n      digest: {file: nowhere.j2}\n")}
    )
    assert [problem.message for problem in check_config(directory)] == [
        "template file '../secret.txt' is outside the configuration directory",
        f"template file 'nowhere.j2' not found in {directory}",
    ]


def test_a_loaded_channel_carries_its_templates_as_text(write_config: WriteConfig) -> None:
    directory = write_config(
        {"channels.yaml": channels("      title: 'Alert: {{ title }}'\n      alert: {file: alert.md}\n")}
    )
    (directory / "alert.md").write_text("**{{ source }}**\n", encoding="utf-8")
    (channel,) = load_config(directory).channels
    style = channel.style()
    assert style.format == "markdown"
    assert dict(style.templates) == {"title": "Alert: {{ title }}", "alert": "**{{ source }}**\n"}


def test_a_running_service_sees_a_template_file_change(write_config: WriteConfig) -> None:
    from monitor.scheduling.service import config_fingerprint

    directory = write_config({})
    (directory / "templates").mkdir()
    (directory / "templates" / "alert.md").write_text("**{{ title }}**\n", encoding="utf-8")
    before = config_fingerprint(directory)
    (directory / "templates" / "alert.md").write_text("**{{ title }}** ({{ source }})\n", encoding="utf-8")
    assert config_fingerprint(directory) != before
