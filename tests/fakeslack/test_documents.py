"""Self-tests of the fake's canvases and external file uploads, through the real slack_sdk."""

from __future__ import annotations

import urllib.request

from tests.fakeslack.checks import error_of

MARKDOWN = {"type": "markdown", "markdown": "## Summary\n- **Title**: Checkout is down"}


def test_a_channel_canvas_is_created_once_and_edited_whole(fake, client):
    channel = fake.add_channel("inc-1-checkout")
    created = client.conversations_canvases_create(channel_id=channel, title="INC-1 report", document_content=MARKDOWN)
    canvas_id = created["canvas_id"]
    assert fake.channel_canvas(channel) == {"id": canvas_id, "title": "INC-1 report", "markdown": MARKDOWN["markdown"],
                                            "channel_id": channel, "channel_canvas": True, "edits": 0}
    assert error_of(lambda: client.conversations_canvases_create(channel_id=channel, document_content=MARKDOWN)) == \
        "channel_canvas_already_exists"

    client.canvases_edit(canvas_id=canvas_id, changes=[
        {"operation": "replace", "document_content": {"type": "markdown", "markdown": "## Summary\nnew"}},
        {"operation": "insert_at_end", "document_content": {"type": "markdown", "markdown": "\n## Impact"}},
    ])
    assert (fake.canvases[canvas_id]["markdown"], fake.canvases[canvas_id]["edits"]) == ("## Summary\nnew\n## Impact", 1)
    assert error_of(lambda: client.canvases_edit(canvas_id="F404", changes=[{"operation": "replace"}])) == "canvas_not_found"


def test_canvas_limits_and_permissions(fake, client):
    channel = fake.add_channel("inc-2-search")
    outside = fake.add_channel("elsewhere", members=())
    too_big = {"type": "markdown", "markdown": "x" * 1_048_577}
    assert error_of(lambda: client.conversations_canvases_create(channel_id=channel, document_content=too_big)) == \
        "channel_canvas_creation_failed"
    assert error_of(lambda: client.conversations_canvases_create(channel_id=outside, document_content=MARKDOWN)) == \
        "no_permission"
    canvas_id = client.conversations_canvases_create(channel_id=channel, document_content=MARKDOWN)["canvas_id"]
    assert error_of(lambda: client.canvases_edit(canvas_id=canvas_id, changes=[
        {"operation": "insert_at_end", "document_content": too_big}])) == "canvas_editing_failed"
    assert fake.canvases[canvas_id]["markdown"] == MARKDOWN["markdown"], "a refused edit changes nothing"


def test_a_tabbed_canvas_and_deleting_canvases(fake, client):
    channel = fake.add_channel("inc-3-api")
    first = client.conversations_canvases_create(channel_id=channel, document_content=MARKDOWN)["canvas_id"]
    tabbed = client.canvases_create(title="Notes", document_content=MARKDOWN, channel_id=channel)["canvas_id"]
    assert (fake.canvases[tabbed]["channel_id"], fake.canvases[tabbed]["channel_canvas"]) == (channel, False)
    client.canvases_delete(canvas_id=first)
    assert fake.channel_canvas(channel) is None and set(fake.canvases) == {tabbed}
    assert client.conversations_canvases_create(channel_id=channel, document_content=MARKDOWN)["ok"]
    assert error_of(lambda: client.canvases_delete(canvas_id=first)) == "canvas_not_found"


def test_an_edit_of_one_section_is_not_modelled(fake, client):
    channel = fake.add_channel("inc-4-db")
    canvas_id = client.conversations_canvases_create(channel_id=channel, document_content=MARKDOWN)["canvas_id"]
    assert error_of(lambda: client.canvases_edit(canvas_id=canvas_id, changes=[
        {"operation": "replace", "section_id": "temp:C:1", "document_content": MARKDOWN}])) == "invalid_arguments"
    assert len(fake.violations) == 1 and "on a section" in fake.violations[0]
    fake.violations.clear()


def test_files_upload_v2_shares_the_file_with_its_comment(fake, client):
    channel = fake.add_channel("inc-5-cdn")
    content = "# INC-5 report\n\nÉté: the CDN failed over.\n"
    response = client.files_upload_v2(channel=channel, content=content, filename="INC-5-report.md",
                                      title="INC-5 report", initial_comment="The report, as a file")
    [file] = fake.files
    assert response["file"]["id"] == file["id"]
    assert {k: file[k] for k in ("filename", "title", "content", "channel_id", "initial_comment")} == {
        "filename": "INC-5-report.md", "title": "INC-5 report", "content": content, "channel_id": channel,
        "initial_comment": "The report, as a file"}
    [message] = fake.messages(channel)
    assert message["text"] == "The report, as a file" and message["files"][0]["id"] == file["id"]
    assert [c.method for c in fake.calls] == ["files.getUploadURLExternal", "files.completeUploadExternal"]
    assert fake.calls[0].args["length"] == str(len(content.encode()))


def test_completing_an_upload_that_never_happened(fake, client):
    channel = fake.add_channel("inc-6-dns")
    ticket = client.files_getUploadURLExternal(filename="r.md", length=5)
    assert error_of(lambda: client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}],
                                                                channel_id=channel)) == "file_not_found"
    assert error_of(lambda: client.files_getUploadURLExternal(filename="r.md", length=0)) == "missing_argument"


def test_bytes_that_do_not_match_the_announced_length_are_a_violation(fake, client):
    ticket = client.files_getUploadURLExternal(filename="r.md", length=5)
    urllib.request.urlopen(urllib.request.Request(ticket["upload_url"], data=b"12", method="POST")).read()
    assert fake.violations == [f"POST /upload/{ticket['file_id']}: 2 bytes, but files.getUploadURLExternal announced 5"]
    fake.violations.clear()
