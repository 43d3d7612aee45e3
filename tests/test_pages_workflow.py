"""The GitHub Pages workflow deploys only what passed `make test`, with every action pinned by commit."""

from __future__ import annotations

import re

from tests.paths import REPO_ROOT

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "pages.yml"


def steps_text() -> str:
    return WORKFLOW.read_text(encoding="utf-8")


def test_every_action_is_pinned_by_a_full_commit_sha() -> None:
    uses = re.findall(r"uses:\s*(\S+)", steps_text())
    assert uses, "the workflow uses no action?"
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), f"{action} is not pinned by commit"


def test_tests_run_before_the_site_is_uploaded_and_deployed() -> None:
    text = steps_text()
    make_test = text.index("run: make test")
    assert make_test < text.index("run: make site") < text.index("actions/upload-pages-artifact@")
    # The deploy job waits for the job that tests: a red test leaves nothing to deploy.
    deploy_job = text[text.index("\n  deploy:") :]
    assert re.search(r"needs:\s*test-and-build", deploy_job)
    assert "actions/deploy-pages@" in deploy_job
    assert "continue-on-error" not in text


def test_tests_find_the_shared_data_beside_the_project() -> None:
    text = steps_text()
    assert "path: snapmath" in text
    assert "path: shared" in text
    assert "SNAPMATH_SHARED_DATA: ${{ github.workspace }}/shared/data" in text
