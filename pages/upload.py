"""Upload (数据上传): district staff keep their carriers and project lists current; check, preview, commit,
history, rollback. After a project list is checked and again after it is committed, each new or changed
project that likely matches another district's gets the notice the form gives (nothing of the other record)."""
import streamlit as st
from streamlit_folium import st_folium

from heatmap import access, export, i18n, mapview, summary, ui
from heatmap.access import Action
from heatmap.ingest import headers, pipeline, review, template
from heatmap.ingest.files import SUPPORTED_EXTENSIONS
from heatmap.model import CARRIER_FIELDS, PROJECT_FIELDS, Category, ValidationError, is_missing
from heatmap.pipeline import intake
from heatmap.store import Conflict, records_frame

lang = ui.lang()
projects_only = not ui.allowed(Action.EDIT_CARRIERS)  # the office: project lists only
ui.page_header("upload.title_projects" if projects_only else "upload.title")
st.caption(ui.t("upload.caption_projects" if projects_only else "upload.caption"))
viewer = ui.viewer()
if not (ui.allowed(Action.EDIT_CARRIERS) or ui.allowed(Action.EDIT_PROJECTS)):
    st.info(ui.t("upload.not_allowed"))
    st.stop()

store = ui.get_store()
names = ui.district_names()
own_district = viewer.district  # staff: their district; administrators: None (any district)
entities = ((["carrier"] if ui.allowed(Action.EDIT_CARRIERS, own_district) else [])
            + (["project"] if ui.allowed(Action.EDIT_PROJECTS, own_district) else []))
upload_tab, history_tab = st.tabs([ui.t("upload.tab.upload"), ui.t("upload.tab.history")])


step_marks = iter("①②③④⑤")  # the page runs top to bottom on every rerun: steps that do not apply are not counted


def step(key: str) -> None:
    st.subheader(f"{next(step_marks)} {ui.t(key)}")


def show_notices(notices) -> None:
    """The duplicate notices of an upload's projects: the district's own codes, a count each, nothing more."""
    if notices:
        st.info("\n\n".join([ui.t("projects.upload_notices", n=i18n.fmt_int(len(notices), lang))]
                             + [intake.notice_text(code, notice, lang) for code, notice in notices]))


def show_problems(problems) -> None:
    frame = pipeline.report_frame(problems, lang)
    row = ui.t("upload.col.row")
    frame[row] = frame[row].astype("string").fillna("")  # a problem of the whole file has no row
    st.dataframe(frame, hide_index=True, width="stretch")


def preview_and_commit(result: pipeline.Upload, replace: bool, preview_key) -> None:
    """Steps after a clean report: the preview against the stored data, the file's map, the commit."""
    step("upload.step.preview")
    if "u_conflict" in st.session_state:
        for message in st.session_state.pop("u_conflict"):
            st.warning(message)
        st.info(ui.t("upload.preview_refreshed"))
    if st.session_state.get("u_preview_key") != preview_key:  # comparing 100k records takes seconds: once per file
        try:
            with st.spinner(ui.t("upload.progress.preview")):
                st.session_state["u_preview"] = pipeline.preview(result, store, replace=replace)
                st.session_state["u_notices"] = (intake.upload_notices(store, intake.new_or_changed(
                    result.records, st.session_state["u_preview"])) if result.entity == "project" else [])
        except ValidationError as error:
            for problem in error.problems:
                st.error(i18n.problem_text(problem, lang))
            return
        st.session_state["u_preview_key"] = preview_key
    diff = st.session_state["u_preview"]
    n = diff.counts
    for column, op, label in zip(st.columns(4), ("add", "change", "same", "remove"), ("added", "changed", "unchanged", "removed")):
        column.metric(ui.t(f"upload.{label}"), i18n.fmt_int(n[op]))
    tables = review.diff_tables(diff, lang, names)
    for op, label in (("add", "added"), ("change", "changed"), ("remove", "removed")):
        if len(tables[op]):
            with st.expander(f"{ui.t(f'upload.{label}')} ({n[op]:,})", expanded=op != "add" or n[op] <= 20):
                st.dataframe(tables[op], hide_index=True, width="stretch")

    show_notices(st.session_state.get("u_notices", []))

    if result.entity == "carrier":  # a map of the file's sites (projects are confidential: none of them here)
        with st.expander(ui.t("upload.map"), expanded=True):
            in_file = records_frame("carrier", result.records)
            districts = ui.districts()
            built = mapview.build_map(mapview.MapContent(
                carriers=in_file, districts=districts, district_figures=summary.district_table(districts, in_file, None),
                lang=lang, show={"supply_heat": False},
            ))
            # open on the file's own sites, not on the whole city
            center = [float(in_file["lat"].mean()), float(in_file["lon"].mean())] if in_file["lat"].notna().any() else None
            st_folium(built.map, key="u_map", height=420, use_container_width=True, returned_objects=[], center=center,
                      zoom=12 if center else None)

    step("upload.step.commit")
    if diff.is_empty:
        st.info(ui.t("upload.nothing_to_commit"))
        return
    with st.form("u_commit"):
        note = st.text_input(ui.t("upload.note"), max_chars=500)
        submitted = st.form_submit_button(ui.t("upload.commit"), type="primary")
    if not submitted:
        st.session_state["u_shown"] = (preview_key[0][:2], diff)  # the preview this person is looking at
        return
    shown_file, shown = st.session_state.get("u_shown", (None, None))
    try:
        with st.spinner(ui.t("upload.progress.commit")):
            # Checked against the preview the person saw, even if this rerun already compared again.
            version, applied = pipeline.commit(result, store, user=viewer.username, note=note, replace=replace,
                                               previewed=shown if shown_file == preview_key[0][:2] else diff)
    except Conflict as error:
        st.session_state["u_conflict"] = [i18n.problem_text(p, lang) for p in error.problems]
        for name in ("u_key", "u_preview_key", "u_shown"):  # read and compare again, then show it
            st.session_state.pop(name, None)
        st.rerun()
    except ValidationError as error:
        st.error(ui.t("upload.commit_failed"))
        for problem in error.problems[:50]:
            st.error(i18n.problem_text(problem, lang))
        return
    done = applied.counts
    st.session_state["u_done"] = ui.t("upload.committed", version=version, added=done["add"], changed=done["change"],
                                      removed=done["remove"])
    if result.entity == "project":  # told again, against the data as committed
        st.session_state["u_done_notices"] = intake.upload_notices(store, intake.new_or_changed(result.records, applied))
    st.session_state["u_round"] = st.session_state.get("u_round", 0) + 1  # a new, empty file picker
    st.rerun()


with upload_tab:
    step("upload.step.kind")
    st.caption(ui.t("upload.district_of", district=names.get(own_district, own_district)) if own_district
               else ui.t("upload.any_district"))
    entity = st.radio(ui.t("upload.entity"), entities, format_func=lambda e: ui.t(f"upload.entity.{e}"), horizontal=True,
                      key="u_entity") if len(entities) > 1 else entities[0]
    left, right = st.columns([2, 1])
    if entity == "carrier":
        kind = left.selectbox(ui.t("upload.kind"), pipeline.kinds(), format_func=lambda k: ui.label("kind", k), key="u_kind")
        template_kind, template_label = kind, ui.label("kind", kind)
    else:  # a district's project list: any category in one file; the template is per category
        kind = None
        template_kind = left.selectbox(ui.t("upload.template_category"), [c.value for c in Category],
                                       format_func=lambda c: ui.label("category", c), key="u_category")
        template_label = ui.label("category", template_kind)
    edit = Action.EDIT_CARRIERS if entity == "carrier" else Action.EDIT_PROJECTS
    ui.download(ui.t("upload.template", kind=template_label), lambda: template.template_workbook(template_kind, lang, entity=entity),
                permission=edit, district=own_district, confidential=False, where=right, key="u_template",
                file_name=f"taicang-{entity}s-{template_kind}-template.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    gcj02 = st.checkbox(ui.t("upload.gcj02"), key="u_gcj02")
    replace = st.radio(ui.t("upload.mode"), ["update", "replace"], format_func=lambda m: ui.t(f"upload.mode.{m}"),
                       key="u_mode") == "replace"
    if "u_done" in st.session_state:
        st.success(st.session_state.pop("u_done"))
        show_notices(st.session_state.pop("u_done_notices", []))
    uploaded = st.file_uploader(ui.t("upload.file"), type=[e.lstrip(".") for e in SUPPORTED_EXTENSIONS],
                                key=f"u_file_{st.session_state.get('u_round', 0)}")

    if uploaded is not None:
        data = uploaded.getvalue()
        chosen = st.session_state.setdefault("u_mappings", {})
        # Reading a large file takes seconds: keep the result for the reruns a click on this page causes.
        key = (uploaded.name, uploaded.file_id, entity, kind, gcj02, own_district, tuple(sorted(chosen.items())),
               ui.data_version())
        if st.session_state.get("u_key") != key:
            bar = st.progress(0.0, text=ui.t("upload.reading", file=uploaded.name))
            st.session_state["u_result"] = pipeline.read_upload(
                data, uploaded.name, kind=kind, store=store, district=own_district, gcj02=gcj02, mappings=chosen, entity=entity,
                progress=lambda fraction, step: bar.progress(fraction, text=ui.t(f"upload.progress.{step}")),
            )
            st.session_state["u_key"] = key
            bar.empty()
            store.audit("upload", target=uploaded.name, target_district=own_district,
                        detail=pipeline.upload_summary(st.session_state["u_result"]))
        result: pipeline.Upload = st.session_state["u_result"]

        if result.unknown_columns:
            step("upload.step.mapping")
            st.caption(ui.t("upload.mapping_help"))
            fields = CARRIER_FIELDS if entity == "carrier" else PROJECT_FIELDS
            targets = ["ignore"] + [f.name for f in fields if f.name != "geometry" and f.name not in result.rules.not_from_files] \
                + list(pipeline.COORDINATE_TARGETS) \
                + list(pipeline.RATE_TARGETS)

            def target_label(target: str) -> str:
                return ui.t(f"upload.target.{target}") if i18n.has(f"upload.target.{target}") else ui.t(f"field.{target}")

            with st.form("u_mapping"):
                picks = {column: st.selectbox(column, targets, format_func=target_label, key=f"u_map_{column}")
                         for column in result.unknown_columns}
                if st.form_submit_button(ui.t("upload.mapping_apply")):
                    mapping = {headers.normalize_header(column): target for column, target in picks.items()}
                    store.remember_header_mappings(mapping, viewer.username)
                    st.session_state["u_mappings"] = chosen | mapping
                    st.rerun()

        step("upload.step.report")
        counts = st.columns(3)
        counts[0].metric(ui.t("upload.rows"), i18n.fmt_int(len(result.records)))
        counts[1].metric(ui.t("upload.errors"), i18n.fmt_int(result.error_count))
        counts[2].metric(ui.t("upload.warnings"), i18n.fmt_int(result.warning_count))
        if result.problems:
            show_problems(result.problems)
            problems = result.problems  # a report of 100k rows takes seconds to write: only when asked for
            # it quotes the file's rows: recorded when fetched
            ui.download(ui.t("upload.download_report"),
                        lambda: export.to_excel({ui.t("upload.report_sheet"): pipeline.report_frame(problems, lang)}),
                        permission=edit, district=own_district, file_name=f"{uploaded.name}-report.xlsx",
                        key="u_report", action="download", target_district=own_district,
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        detail={"problems": len(problems)})
        else:
            st.success(ui.t("upload.no_problems"))

        if result.errors:
            st.error(ui.t("upload.has_errors", n=result.error_count))
        elif result.records:
            preview_and_commit(result, replace, (key, replace))

def history(entity: str) -> None:
    """The versions of `entity` this viewer may read, what the chosen one changed, and its rollback (for those
    who may: access.may_roll_back, as on the command line)."""
    versions = access.visible_versions(viewer, entity, store.versions(entity))
    if versions.empty:
        st.info(ui.t("upload.history_none"))
        return
    st.dataframe(review.versions_table(versions, lang, names), hide_index=True, width="stretch")
    by_id = {int(v["id"]): v for _, v in versions.iterrows()}
    picked = st.selectbox(ui.t("upload.version_pick"), list(by_id), key=f"u_version_{entity}", format_func=lambda v: (
        f"{v} · {i18n.fmt_datetime(by_id[v]['created_at'], lang)} · {by_id[v]['created_by']}"))
    st.markdown(f"**{ui.t('upload.version_changes', version=picked)}**")
    st.dataframe(review.version_changes_table(store.version_changes(picked), lang, names), hide_index=True,
                 width="stretch")
    picked_district = by_id[picked]["district"]
    if not access.may_roll_back(viewer, entity, None if is_missing(picked_district) else picked_district):
        st.caption(ui.t("upload.rollback_not_yours"))
        return
    with st.form(f"u_rollback_{entity}"):
        why = st.text_input(ui.t("upload.rollback_note"), max_chars=500)
        if st.form_submit_button(ui.t("upload.rollback")):
            try:
                new = store.rollback(picked, user=viewer.username, note=why or None)
            except Conflict:  # a commit came between reading the version and writing its undoing
                st.warning(ui.t("upload.rollback_conflict", version=picked))
            except ValidationError as error:
                st.error(ui.t("upload.rollback_failed"))
                for problem in error.problems[:50]:
                    st.error(i18n.problem_text(problem, lang))
            else:
                st.session_state["u_rolled"] = ui.t("upload.rolled_back", version=picked, new=new)
                st.rerun()


with history_tab:
    st.caption(ui.t("upload.history_caption"))
    if "u_rolled" in st.session_state:
        st.success(st.session_state.pop("u_rolled"))
    history(st.radio(ui.t("upload.history_entity"), entities, format_func=lambda e: ui.t(f"upload.history_of.{e}"),
                     horizontal=True, key="u_history_entity") if len(entities) > 1 else entities[0])
