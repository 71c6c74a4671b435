"""The Atlas UI of the local server, as a person uses it, in headless Chromium.

Logs in as admin, searches the Titanic demo's model version by type and classification, opens
its Lineage tab and checks what is drawn: the raw CSV and the training run, the whole chain
from the first load (5 processes deep), readable labels and atlas-ml's icons. Screenshots go
to test-artifacts/ui/ (named at the end of the test output).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from demo_support import Demo
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from atlas_ml.client import AtlasClient
from atlas_ml.server.webui import LINEAGE_DEPTH, assets

pytestmark = pytest.mark.ui

WAIT = 60  # seconds; the first page load compiles the UI's JavaScript

# Every drawn node: its guid, label lines, whether it lies inside the graph's view, and its
# icon. The UI fetches each icon once, for the first node of its type (data-iconpath); when
# that fails it falls back to the serviceType's icon, then a generic one, and keeps the first
# path it tried in data-iconpathorigin.
NODES_JS = """
const svg = arguments[0].getBoundingClientRect();
const icons = {};
for (const c of document.querySelectorAll('.lineage-box svg circle.nodeImage[data-iconpath]')) {
    icons[c.getAttribute('fill')] = [c.getAttribute('data-iconpath'),
                                     c.getAttribute('data-iconpathorigin')];
}
return [...document.querySelectorAll('.lineage-box svg g.nodes g.node')].map(node => {
    const fill = node.querySelector('circle.nodeImage').getAttribute('fill');
    const box = node.getBoundingClientRect();
    const [icon, firstIcon] = icons[fill] || [null, null];
    return {
        guid: node.id,
        lines: [...node.querySelectorAll('g.label tspan')].map(t => t.textContent),
        icon: icon,
        firstIcon: firstIcon,
        visible: box.left >= svg.left && box.right <= svg.right
            && box.top >= svg.top && box.bottom <= svg.bottom,
    };
});
"""


def _wait(browser: Any, condition: Callable[[Any], Any], what: str, timeout: float = WAIT) -> Any:
    try:
        return WebDriverWait(browser, timeout).until(condition)
    except TimeoutException:
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}") from None


def _select2(browser: Any, data_id: str, text: str) -> None:
    """Pick ``text`` in a select2 drop-down the way a person does: open it, type, Enter."""
    browser.find_element(By.CSS_SELECTOR, f'select[data-id="{data_id}"] + .select2').click()
    field = _wait(
        browser,
        ec.visibility_of_element_located(
            (By.CSS_SELECTOR, ".select2-container--open .select2-search__field")
        ),
        f"the {data_id} drop-down",
    )
    field.send_keys(text)
    _wait(
        browser,
        lambda b: (
            text in b.find_element(By.CSS_SELECTOR, ".select2-results__option--highlighted").text
        ),
        f"{text} among the {data_id} choices",
    )
    field.send_keys(Keys.ENTER)


def _lineage_nodes(browser: Any) -> list[dict[str, Any]]:
    """The drawn nodes, once the graph is drawn (the UI draws it in one go when its lineage
    request returns), its icons loaded and its zoom-to-fit transition over."""
    svg = _wait(
        browser,
        ec.visibility_of_element_located((By.CSS_SELECTOR, ".lineage-box svg")),
        "the lineage graph",
    )

    def settled(b: Any) -> list[dict[str, Any]] | None:
        nodes = b.execute_script(NODES_JS, svg)
        icons = b.find_elements(By.CSS_SELECTOR, ".lineage-box svg defs pattern image")
        loaded = all((i.get_attribute("href") or "").startswith("data:image/png") for i in icons)
        return nodes if nodes and icons and loaded else None

    _wait(browser, settled, "lineage nodes with their icons")
    time.sleep(1)  # the UI animates its zoom for 350 ms
    return list(_wait(browser, settled, "the lineage graph after its zoom"))


def _open_lineage_tab(browser: Any) -> None:
    tab = _wait(
        browser,
        ec.element_to_be_clickable((By.XPATH, "//ul[contains(@class,'nav-tabs')]//a[.='Lineage']")),
        "the Lineage tab",
    )
    tab.click()


def _full_screen_shot(browser: Any, path: Path) -> list[dict[str, Any]]:
    """Full-screen lineage, realigned to the new size, saved to ``path``; its nodes."""
    browser.find_element(By.CSS_SELECTOR, '[data-id="fullScreen-toggler"]').click()
    browser.find_element(By.CSS_SELECTOR, '[data-id="resetLineage"]').click()
    nodes = _lineage_nodes(browser)
    browser.save_screenshot(str(path))
    return nodes


@pytest.fixture(scope="module")
def logged_in(browser: Any, local_ui: str) -> Any:
    browser.get(local_ui + "/login.jsp")
    browser.find_element(By.ID, "username").send_keys("admin")
    browser.find_element(By.ID, "password").send_keys("admin")
    browser.find_element(By.ID, "signIn").click()
    _wait(browser, lambda b: "index.html" in b.current_url, "the UI after login")
    return browser


@pytest.fixture(scope="module")
def upstream(atlas_client: AtlasClient, titanic_demo: Demo) -> dict[str, dict[str, Any]]:
    """Every node of the demo model version's lineage, by guid, as Atlas's REST API has it."""
    graph = atlas_client.lineage.get(titanic_demo.guid, depth=LINEAGE_DEPTH)
    return graph.entities


def _exclude_sub_classifications(browser: Any) -> bool:
    """Tick the results' "Exclude sub-classifications" box; true once the search has it. The
    results view is drawn again when the first results arrive, and a loading mask may cover
    the box for a moment: the click is retried on the box present then."""
    if "excludeSC=true" in browser.current_url:
        return True
    try:
        box = browser.find_element(By.CSS_SELECTOR, '[data-id="checkSubClassification"]')
        if box.is_displayed() and not box.is_selected():
            box.click()
    except (NoSuchElementException, StaleElementReferenceException, WebDriverException):
        pass
    return False


def _search(browser: Any, local_ui: str, name: str) -> Any:
    """Search as a person does in the classic UI's form (type, classification, Search); the
    result link named ``name``."""
    browser.get(local_ui + "/index.html#!/search")
    _wait(
        browser,
        ec.presence_of_element_located((By.CSS_SELECTOR, 'select[data-id="typeLOV"] + .select2')),
        "the search form",
    )
    _select2(browser, "typeLOV", "atlasml_model_version")
    _select2(browser, "tagLOV", "Sensitive")
    browser.find_element(By.CSS_SELECTOR, '[data-id="searchBtn"]').click()
    # PII and UserBehavior are sub-classifications of Sensitive: every model version trained
    # on such data matches too, and the demo's falls off the first page on a busy Atlas.
    # The results' "Exclude sub-classifications" box keeps the search to Sensitive itself.
    _wait(browser, _exclude_sub_classifications, "the search without sub-classifications")
    return _wait(
        browser,
        ec.presence_of_element_located((By.LINK_TEXT, name)),
        f"{name} among the search results",
    )


@pytest.fixture(scope="module")
def search_result(
    logged_in: Any, local_ui: str, titanic_demo: Demo, ui_artifacts: Path
) -> dict[str, str]:
    """The search's address and the demo's row in its results."""
    link = _search(logged_in, local_ui, titanic_demo.name)
    logged_in.save_screenshot(str(ui_artifacts / "1-search-by-type-and-classification.png"))
    return {"url": logged_in.current_url, "row": link.find_element(By.XPATH, "./ancestor::tr").text}


@pytest.fixture(scope="module")
def lineage(
    logged_in: Any, local_ui: str, titanic_demo: Demo, ui_artifacts: Path
) -> dict[str, dict[str, Any]]:
    """The demo's Lineage tab, opened from the search result: its drawn nodes by guid, and
    the depth its filter shows (under the key "depth")."""
    browser = logged_in
    _search(browser, local_ui, titanic_demo.name).click()
    _open_lineage_tab(browser)
    nodes = _lineage_nodes(browser)
    browser.save_screenshot(str(ui_artifacts / "2-lineage-tab.png"))
    depth = browser.find_element(By.CSS_SELECTOR, 'select[data-id="selectDepth"]')
    return {"depth": depth.get_attribute("value"), "nodes": {n["guid"]: n for n in nodes}}


def test_search_by_type_and_classification_lists_the_demo_model_version(
    search_result: dict[str, str],
) -> None:
    assert "type=atlasml_model_version" in search_result["url"]
    assert "tag=Sensitive" in search_result["url"]
    assert "atlasml_model_version" in search_result["row"]
    # propagated from the raw CSV's Sex and Age, which the model trained on (its PII, on the
    # names, ticket and cabin columns, stops at the clean step that drops them)
    assert "Sensitive" in search_result["row"]


def test_lineage_tab_draws_the_raw_csv_and_the_training_run(
    lineage: dict[str, Any], upstream: dict[str, dict[str, Any]], titanic_demo: Demo
) -> None:
    drawn_nodes = lineage["nodes"]
    (raw_csv,) = [guid for guid, e in upstream.items() if e["typeName"] == "hdfs_path"]
    training_run = titanic_demo.run_guid
    assert upstream[raw_csv]["displayText"].endswith("/examples/data/titanic.csv")
    drawn = [" ".join(node["lines"]) for node in drawn_nodes.values()]
    assert raw_csv in drawn_nodes, f"no raw CSV among {drawn}"
    assert training_run in drawn_nodes, f"no training run among {drawn}"
    # a person reads the file name and which run it is, not a cut-off prefix
    assert drawn_nodes[raw_csv]["lines"][-1] == "data/titanic.csv"
    run_label = " ".join(drawn_nodes[training_run]["lines"])
    assert run_label == upstream[training_run]["displayText"]


def test_lineage_tab_opens_with_the_whole_chain_in_view(
    lineage: dict[str, Any], upstream: dict[str, dict[str, Any]]
) -> None:
    nodes = lineage["nodes"]
    # Atlas's own default (depth 3) stops two processes short of the raw file.
    missing = [upstream[guid]["displayText"] for guid in set(upstream) - set(nodes)]
    assert not missing, f"not drawn: {missing}"
    hidden = [upstream[g]["displayText"] for g, node in nodes.items() if not node["visible"]]
    assert not hidden, f"drawn outside the view: {hidden}"
    assert lineage["depth"] == str(LINEAGE_DEPTH)


def test_lineage_node_labels_are_whole_names_on_two_lines(
    lineage: dict[str, Any], upstream: dict[str, dict[str, Any]]
) -> None:
    for guid, node in lineage["nodes"].items():
        name = upstream[guid]["displayText"]
        assert len(node["lines"]) <= 2 and all(len(line) <= 18 for line in node["lines"])
        if upstream[guid]["typeName"].startswith("atlasml_"):
            assert "".join(node["lines"]).replace(" ", "") == name.replace(" ", ""), name


def test_lineage_nodes_show_the_icon_of_their_atlas_ml_type(
    lineage: dict[str, Any], upstream: dict[str, dict[str, Any]]
) -> None:
    for guid, node in lineage["nodes"].items():
        type_name = upstream[guid]["typeName"]
        if type_name.startswith("atlasml_"):
            assert node["icon"].endswith(f"/img/entity-icon/{type_name}.png"), node
            assert node["firstIcon"] is None, f"{node['firstIcon']} failed to load"


def test_local_server_serves_an_icon_for_every_atlas_ml_type(local_ui: str) -> None:
    shipped = sorted((assets() / "entity-icon").rglob("*.png"))
    assert shipped
    for ui_root in ("", "/n"):  # the classic UI and the one the login page opens
        for icon in shipped:
            relative = icon.relative_to(assets()).as_posix()
            response = requests.get(f"{local_ui}{ui_root}/img/{relative}", timeout=10)
            assert response.status_code == 200, response.url
            assert response.headers["Content-Type"].startswith("image/png"), response.url
            assert response.content == icon.read_bytes(), response.url


def test_new_ui_lineage_shows_the_whole_chain_full_screen(
    logged_in: Any,
    local_ui: str,
    titanic_demo: Demo,
    upstream: dict[str, dict[str, Any]],
    ui_artifacts: Path,
) -> None:
    """The "beta" UI the login page opens has the same lineage view and fixes."""
    browser = logged_in
    browser.get(f"{local_ui}/n/index.html#!/detailPage/{titanic_demo.guid}?tabActive=lineage")
    nodes = _lineage_nodes(browser)
    assert {node["guid"] for node in nodes} == set(upstream)
    nodes = _full_screen_shot(browser, ui_artifacts / "3-lineage-full-screen.png")
    assert all(node["visible"] for node in nodes)


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("test@0ce02035e79a", ["test@0ce02035e79a"]),
        ("titanic-survival@b42e7c4dc44f", ["titanic-survival", "@b42e7c4dc44f"]),
        ("titanic-survival run 1aeb40d1", ["titanic-survival", "run 1aeb40d1"]),
        ("titanic-survival.split", ["titanic-survival.", "split"]),
        ("titanic.csv@411730e9cddb", ["titanic.csv", "@411730e9cddb"]),
        ("/home/alice/examples/data/titanic.csv", ["…/alice/examples/", "data/titanic.csv"]),
        (
            "hdfs://nn:8020/raw/clicks/2024/part-0001.parquet",
            ["…/raw/clicks/2024/", "part-0001.parquet"],
        ),
        ("spark-application-1712345 execution 12", ["spark-application…", "execution 12"]),
        ("a-single-token-longer-than-a-line", ["…onger-than-a-line"]),
    ],
)
def test_node_label_keeps_what_tells_names_apart(
    logged_in: Any, name: str, label: list[str]
) -> None:
    """The label function the UI runs (ui-assets/lineage-label.js), in the browser itself."""
    script = (assets() / "lineage-label.js").read_text(encoding="utf-8")
    wrapped = logged_in.execute_script(f"return ({script})(arguments[0]);", name)
    assert wrapped.split("\n") == label
