"""`ebguard server` driven by pytest-lsp (pygls), a client independent of tests/server.rs,
with the capabilities real editors announce. pytest-lsp also checks every message the server
sends against the LSP specification. Run by tests/server_pytest_lsp.rs with EBGUARD_BIN set.
"""

import asyncio
import os
import pathlib

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

MIGRATE = "container_commands:\n  01_migrate:\n    command: python3 manage.py migrate\n"
GUARDED = MIGRATE + "    leader_only: true\n"
# EB010: `leader_only` as a string is a warning.
STRING_GUARD = MIGRATE + '    leader_only: "true"\n'


@pytest_lsp.fixture(
    params=["visual-studio-code", "neovim"],
    config=ClientServerConfig(server_command=[os.environ["EBGUARD_BIN"], "server"]),
)
async def client(lsp_client: LanguageClient, request, tmp_path: pathlib.Path):
    editor = request.param

    lsp_client.registrations = []

    # VS Code lets servers register file watchers; the test client accepts, as it does.
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        lsp_client.registrations = [r.method for r in params.registrations]
        return None

    (tmp_path / ".ebextensions").mkdir()
    (tmp_path / ".ebextensions" / "01_django.config").write_text(GUARDED)
    lsp_client.set_configuration({"minSeverity": "info"}, section="ebguard")
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=pytest_lsp.client_capabilities(editor),
            root_uri=tmp_path.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="w")],
        )
    )
    yield
    await lsp_client.shutdown_session()


async def diagnostics_of(client: LanguageClient, uri: str, wanted) -> list:
    """Waits (at most 20 s) until the diagnostics published for `uri` satisfy `wanted`."""
    async def poll():
        while uri not in client.diagnostics or not wanted(client.diagnostics[uri]):
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return client.diagnostics[uri]

    return await asyncio.wait_for(poll(), timeout=20)


async def open_document(client: LanguageClient, uri: str, text: str) -> list:
    """Opens `uri` with unsaved `text`; returns its first non-empty diagnostics."""
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )
    return await diagnostics_of(client, uri, lambda d: len(d) > 0)


def apply_in_editor(client: LanguageClient, uri: str, version: int, edit: types.TextEdit):
    """Applies `edit` to the open document as an editor does: an incremental change."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text)
            ],
        )
    )


@pytest.mark.asyncio
async def test_unsaved_edits_hover_and_quick_fix(client: LanguageClient, tmp_path):
    uri = (tmp_path / ".ebextensions" / "01_django.config").as_uri()
    found = await open_document(client, uri, MIGRATE)
    assert [d.code for d in found] == ["EB001"]
    assert found[0].range == types.Range(
        start=types.Position(line=1, character=2), end=types.Position(line=1, character=12)
    )
    assert found[0].severity == types.DiagnosticSeverity.Error
    assert found[0].source == "ebguard"
    assert found[0].code_description.href.endswith("EB001-migration-not-leader-only.md")

    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=1, character=4),
        )
    )
    assert "migration-not-leader-only" in hover.contents.value

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=found[0].range,
            context=types.CodeActionContext(diagnostics=list(found)),
        )
    )
    # A finding's own fixes come first; the suppression names the rule.
    suppress = [a for a in actions if a.title.startswith("Suppress EB001")]
    assert len(suppress) == 1
    edit = suppress[0].edit.changes[uri][0]
    assert edit.new_text.startswith("  # ebguard: ignore[EB001] ")

    # The quick fix applied as an editor applies it: the finding is gone.
    apply_in_editor(client, uri, 2, edit)
    await diagnostics_of(client, uri, lambda d: len(d) == 0)

    # Breaking it again in a different way brings a warning, which minSeverity can hide.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=STRING_GUARD)],
        )
    )
    found = await diagnostics_of(client, uri, lambda d: len(d) > 0)
    assert [d.code for d in found] == ["EB010"]
    # Pull-style settings (settings: null, then workspace/configuration) where the editor
    # supports them, pushed settings otherwise.
    pull = client.capabilities.workspace and client.capabilities.workspace.configuration
    if pull:
        client.set_configuration({"minSeverity": "error"}, section="ebguard")
        settings = None
    else:
        settings = {"ebguard": {"minSeverity": "error"}}
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings=settings)
    )
    await diagnostics_of(client, uri, lambda d: len(d) == 0)
    watched = client.capabilities.workspace.did_change_watched_files
    if watched and watched.dynamic_registration:
        assert client.registrations == ["workspace/didChangeWatchedFiles"]
    else:
        assert client.registrations == []


def apply(text: str, edit: types.TextEdit) -> str:
    """`text` with `edit` applied, as an editor applies it (ASCII text: UTF-16 units are
    characters)."""
    lines = text.splitlines(keepends=True)
    def offset(at: types.Position) -> int:
        return sum(len(line) for line in lines[: at.line]) + at.character
    return text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]


@pytest.mark.asyncio
async def test_quick_fix_from_a_findings_fix(client: LanguageClient, tmp_path):
    uri = (tmp_path / ".ebextensions" / "01_django.config").as_uri()
    found = await open_document(client, uri, STRING_GUARD)
    assert [d.code for d in found] == ["EB010"]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=found[0].range,
            context=types.CodeActionContext(
                diagnostics=list(found), only=[types.CodeActionKind.QuickFix]
            ),
        )
    )
    fix = actions[0]
    assert fix.title == "Write `leader_only: true`"
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.is_preferred
    assert [d.code for d in fix.diagnostics] == ["EB010"]
    assert actions[1].title.startswith("Suppress EB010")
    [edit] = fix.edit.changes[uri]
    fixed = apply(STRING_GUARD, edit)
    assert fixed == GUARDED

    # Applied as an editor applies it: the finding is gone.
    apply_in_editor(client, uri, 2, edit)
    await diagnostics_of(client, uri, lambda d: len(d) == 0)
