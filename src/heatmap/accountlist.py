"""The administrator's list of accounts, as shown: names of roles and districts in the reader's language,
Taicang local times, and never a raw code or an empty cell."""
from __future__ import annotations

import pandas as pd

from heatmap import i18n


def shown(users: pd.DataFrame, lang: str, district_names: dict[str, str]) -> pd.DataFrame:
    def when(value) -> str:
        return i18n.t("accounts.never", lang) if pd.isna(value) else i18n.fmt_datetime(pd.Timestamp(value).to_pydatetime(), lang)

    def status(row) -> str:
        text = i18n.t("accounts.active" if row["active"] else "accounts.disabled", lang)
        return f"{text} · {i18n.t('accounts.must_change', lang)}" if row["active"] and row["must_change_password"] else text

    out = pd.DataFrame({
        i18n.t("accounts.col.username", lang): users["username"],
        i18n.t("accounts.col.display_name", lang): users["display_name"].fillna(users["username"]),
        i18n.t("accounts.col.role", lang): [i18n.label("role", r, lang) for r in users["role"]],
        i18n.t("accounts.col.district", lang): [district_names.get(d, d) if isinstance(d, str) else "–" for d in users["district"]],
        i18n.t("accounts.col.active", lang): [status(r) for _, r in users.iterrows()],
        i18n.t("accounts.col.last_sign_in", lang): [when(v) for v in users["last_sign_in_at"]],
        i18n.t("accounts.col.created", lang): [when(v) for v in users["created_at"]],
    })
    return out.reset_index(drop=True)
