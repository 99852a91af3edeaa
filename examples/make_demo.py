"""Writes examples/demo.yaml, the demo directory of licensebot: `python examples/make_demo.py`.

Deterministic (one seeded `random.Random`, no set iteration) and standard library only, so running it again
gives the same file byte for byte; tests/unit/test_directory_file.py checks that the committed file is current.

The catalogue uses Microsoft's real String_Ids (Graph `skuPartNumber`) and product names. The rules are ours:
  * Exclusions: a user holds at most one productivity suite (Office 365 E1/E3/E5, Microsoft 365 E3/E5,
    Business Basic/Standard/Premium). Each suite brings its own Exchange Online mailbox and SharePoint plan;
    Microsoft's service-plan reference shows E1 + E3 on one user failing ("Exchange Online (Plan 2) conflicts
    with Exchange Online (Plan 1)") and calls two SharePoint plans together "not recommended", and paying for
    two suites for one person is never what a partner wants. Each pair is declared once, on the earlier suite,
    which also exercises the rule that an exclusion declared on either side applies to both.
    Standalone Exchange Online (Plan 1)/(Plan 2) and Entra ID P1 exclude nothing: the reference no longer lists
    Exchange Plan 2 as conflicting, and says all Entra ID plans may be assigned together.
  * Requirements: Teams Phone Standard and Audio Conferencing require one of the E3/E5 suites (Microsoft
    documents Audio Conferencing's dependency on the Teams/Skype plan inside E3/E5); Workplace Analytics requires
    an Exchange Online mailbox: a standalone Exchange plan or any suite, all of which include one.
  * Locations: the `unavailable_in` lists are ILLUSTRATIVE, not Microsoft's availability list; they exist so
    the demo shows the bot refusing a product in a user's usage location.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

SEED = 365
OUT = Path(__file__).with_name("demo.yaml")

SUITES = [
    "STANDARDPACK",
    "ENTERPRISEPACK",
    "ENTERPRISEPREMIUM",
    "SPE_E3",
    "SPE_E5",
    "O365_BUSINESS_ESSENTIALS",
    "O365_BUSINESS_PREMIUM",
    "SPB",
]
E3_E5 = ["ENTERPRISEPACK", "ENTERPRISEPREMIUM", "SPE_E3", "SPE_E5"]
EMBARGOED = ["CN", "CU", "IR", "KP", "RU", "SY"]  # illustrative, see the module docstring

# sku, skuId (GUID), name, requires_one_of, unavailable_in.  Note the trap: O365_BUSINESS_PREMIUM is Business
# *Standard*; Business Premium is SPB.
CATALOGUE: list[tuple[str, str, str, list[str], list[str]]] = [
    ("STANDARDPACK", "18181a46-0d4e-45cd-891e-60aabd171b4e", "Office 365 E1", [], []),
    ("ENTERPRISEPACK", "6fd2c87f-b296-42f0-b197-1e91e994b900", "Office 365 E3", [], []),
    ("ENTERPRISEPREMIUM", "c7df2760-2c81-4ef7-b578-5b5392b571df", "Office 365 E5", [], []),
    ("SPE_E3", "05e9a617-0261-4cee-bb44-138d3ef5d965", "Microsoft 365 E3", [], []),
    ("SPE_E5", "06ebc4ee-1bb5-47dd-8120-11324bc54e06", "Microsoft 365 E5", [], []),
    ("O365_BUSINESS_ESSENTIALS", "3b555118-da6a-4418-894f-7df1e2096870", "Microsoft 365 Business Basic", [], []),
    ("O365_BUSINESS_PREMIUM", "f245ecc8-75af-4f8e-b61f-27d8114de5f3", "Microsoft 365 Business Standard", [], []),
    ("SPB", "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", "Microsoft 365 Business Premium", [], []),
    ("EXCHANGESTANDARD", "4b9405b0-7788-4568-add1-99614e613b69", "Exchange Online (Plan 1)", [], []),
    ("EXCHANGEENTERPRISE", "19ec0d23-8335-4cbd-94ac-6050e30712fa", "Exchange Online (Plan 2)", [], []),
    ("AAD_PREMIUM", "078d2b04-f1bd-4111-bbd4-b4b1b354cef4", "Microsoft Entra ID P1", [], []),
    ("POWER_BI_PRO", "f8a1db68-be16-40ed-86d5-cb42ce701560", "Power BI Pro", [], ["CN"]),
    ("VISIOCLIENT", "c5928f49-12ba-48f7-ada3-0d743a3601d5", "Visio Plan 2", [], []),
    ("PROJECTPROFESSIONAL", "53818b1b-4a27-454b-8896-0dba576410e6", "Planner and Project Plan 3", [], []),
    ("MCOEV", "e43b5b99-8dfb-405f-9987-dc307f34bcbd", "Microsoft Teams Phone Standard", E3_E5, EMBARGOED),
    ("MCOMEETADV", "0c266dff-15dd-4b49-8397-2bb16070ed52", "Microsoft 365 Audio Conferencing", E3_E5, EMBARGOED),
    (
        "WORKPLACE_ANALYTICS",
        "3d957427-ecdc-4df2-aacd-01cc9d519da8",
        "Microsoft Workplace Analytics",
        ["EXCHANGESTANDARD", "EXCHANGEENTERPRISE", *SUITES],
        ["CN", "RU"],
    ),
]
REQUIRES = {sku: requires for sku, _, _, requires, _ in CATALOGUE}
UNAVAILABLE = {sku: where for sku, _, _, _, where in CATALOGUE}
EXCLUDES = {sku: SUITES[SUITES.index(sku) + 1 :] if sku in SUITES else [] for sku, *_ in CATALOGUE}
# Not rules, just realism: these products are already part of the suite, so nobody buys them on top.
REDUNDANT_WITH = {
    "AAD_PREMIUM": ["SPE_E3", "SPE_E5", "SPB"],
    "MCOEV": ["ENTERPRISEPREMIUM", "SPE_E5"],
    "MCOMEETADV": ["ENTERPRISEPREMIUM", "SPE_E5"],
}

FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph "
    "Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty Mark Sandra Steven Ashley Paul "
    "Emily Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie "
    "Aisha Mohammed Fatima Omar Priya Arjun Ananya Rahul Wei Li Hiroshi Yuki Sakura Kenji Min-jun Ji-woo Olga "
    "Dmitri Ingrid Lars Sofía Mateo Valentina Santiago Chloé Lucas Léa Hugo Zoë José Renée Björn Søren Łukasz "
    "Małgorzata François Siobhán Seán Nguyen Thi Kwame Ama Chidi Ngozi Tariq Layla Noah Emma Liam Olivia Mia Aria"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera "
    "Campbell Mitchell Carter Roberts Patel Shah Gupta Singh Chen Wang Zhang Tanaka Sato Suzuki Kim Park Ivanova "
    "Petrov Johansson Andersen Nielsen Müller Schmidt Schneider Fischer Dubois Lefèvre Rossi Bianchi Kowalski "
    "Nowak Wiśniewski O'Brien O'Connor Murphy Mensah Okafor Haddad Khan Costa Silva Santos Ferreira Oliveira"
).split()
ASCII = str.maketrans({"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "ß": "ss", "Æ": "Ae", "æ": "ae", "Đ": "D", "đ": "d"})

UserRow = tuple[str, str, str | None, list[str]]  # id, name, location, licenses


@dataclass
class Profile:
    """How to generate one customer."""

    id: str
    name: str
    domain: str
    count: int
    countries: dict[str, int]  # usage location -> weight
    bases: dict[str | None, int]  # the suite (or standalone mailbox) a user gets -> weight; None: nothing
    addons: dict[str, float]  # product -> chance, given in assignment order (bases before what requires them)
    unlocated: float = 0.0  # share of users with no usage location yet (they hold nothing)
    spare: dict[str, int] = field(default_factory=dict)  # unused seats; 0 exercises "Buy more"
    alert_below: dict[str, int] = field(default_factory=dict)
    unused: dict[str, int] = field(default_factory=dict)  # owned products nobody holds yet -> quantity
    fixed: list[UserRow] = field(default_factory=list)


PROFILES = [
    Profile(
        "contoso",
        "Contoso Ltd",
        "contoso.com",
        120,
        {"US": 40, "GB": 15, "DE": 12, "FR": 8, "IN": 8, "JP": 6, "NO": 4, "CN": 5, "RU": 2},
        {"ENTERPRISEPACK": 45, "STANDARDPACK": 25, "ENTERPRISEPREMIUM": 15, "EXCHANGESTANDARD": 10, None: 5},
        {
            "MCOEV": 0.25,
            "MCOMEETADV": 0.3,
            "POWER_BI_PRO": 0.2,
            "PROJECTPROFESSIONAL": 0.08,
            "WORKPLACE_ANALYTICS": 0.1,
        },
        unlocated=0.03,
        spare={"ENTERPRISEPACK": 0, "STANDARDPACK": 6, "ENTERPRISEPREMIUM": 2, "MCOEV": 0, "POWER_BI_PRO": 4},
        alert_below={"ENTERPRISEPACK": 3, "ENTERPRISEPREMIUM": 3, "STANDARDPACK": 5, "MCOEV": 2},
        unused={"VISIOCLIENT": 5},
        fixed=[("alice@contoso.com", "Alice Adams", "US", ["ENTERPRISEPACK"])],
    ),
    Profile(
        "fabrikam",
        "Fabrikam, Inc.",
        "fabrikam.com",
        60,
        {"CA": 30, "US": 40, "MX": 15, "ES": 15},
        {"O365_BUSINESS_ESSENTIALS": 35, "O365_BUSINESS_PREMIUM": 35, "SPB": 25, None: 5},
        {"EXCHANGEENTERPRISE": 0.05, "AAD_PREMIUM": 0.2, "POWER_BI_PRO": 0.1, "WORKPLACE_ANALYTICS": 0.05},
        unlocated=0.05,
        spare={"SPB": 0, "O365_BUSINESS_PREMIUM": 3, "AAD_PREMIUM": 1},
        alert_below={"SPB": 1, "O365_BUSINESS_ESSENTIALS": 2, "O365_BUSINESS_PREMIUM": 5},
    ),
    Profile(
        "northwind",
        "Northwind & <Sons>",  # exercises escaping in Slack messages and blocks
        "northwindtraders.com",
        0,
        {},
        {},
        {},
        spare={"SPB": 0, "POWER_BI_PRO": 0},
        alert_below={"SPB": 1},
        fixed=[
            ("nancy.davolio@northwindtraders.com", "Nancy Davolio", "US", ["SPB", "POWER_BI_PRO"]),
            ("andrew.fuller@northwindtraders.com", "Andrew Fuller", "US", ["SPB"]),
            ("channel.test@northwindtraders.com", "<!channel> Test", "US", ["SPB"]),
            ("markup.test@northwindtraders.com", "*Bold* _Italic_ ~Strike~ `Code` <@U0ADMIN01>", "GB", ["SPB"]),
            ("zoe.obrien@northwindtraders.com", "Zoë O'Brien-Łukasiewicz", "IE", ["SPB"]),
            ("shared.mailbox@northwindtraders.com", "Ann & Andy <Shared>", None, []),
            (
                "bartholomew.featherstonehaugh@northwindtraders.com",
                "Bartholomew Maximilian Featherstonehaugh-Cholmondeley III",
                None,
                [],
            ),
        ],
    ),
    Profile(
        "globex",
        "Globex Corporation",
        "globex.com",
        2500,
        {
            "US": 38,
            "GB": 10,
            "DE": 9,
            "IN": 8,
            "FR": 6,
            "CA": 5,
            "JP": 5,
            "BR": 4,
            "AU": 3,
            "NO": 2,
            "SE": 2,
            "PL": 2,
            "MX": 2,
            "CN": 2,
            "RU": 1,
            "ZA": 1,
        },
        {"SPE_E3": 45, "SPE_E5": 8, "ENTERPRISEPACK": 12, "STANDARDPACK": 20, "EXCHANGESTANDARD": 9, None: 6},
        {
            "AAD_PREMIUM": 0.15,
            "POWER_BI_PRO": 0.25,
            "VISIOCLIENT": 0.06,
            "PROJECTPROFESSIONAL": 0.05,
            "MCOEV": 0.15,
            "MCOMEETADV": 0.12,
            "WORKPLACE_ANALYTICS": 0.04,
        },
        unlocated=0.02,
        spare={"SPE_E5": 0, "VISIOCLIENT": 0, "SPE_E3": 40, "STANDARDPACK": 25},
        alert_below={"SPE_E3": 50, "SPE_E5": 5, "ENTERPRISEPACK": 10, "POWER_BI_PRO": 20, "VISIOCLIENT": 2},
    ),
    Profile(
        "tailspin",
        "Tailspin Toys",  # just onboarded: owns seats, no users yet
        "tailspintoys.com",
        0,
        {},
        {},
        {},
        alert_below={"O365_BUSINESS_ESSENTIALS": 2},
        unused={"O365_BUSINESS_ESSENTIALS": 10},
    ),
]

# Slack-like ids; replace one with your own Slack member id to try the bot.
OPERATORS: list[tuple[str, str, str, list[str] | None]] = [
    ("U0ADMIN01", "Pat Partner", "admin_agent", ["*"]),
    ("U0GLOBAL01", "Gale Global", "global_admin", None),
    ("U0HELP01", "Harper Helpdesk", "helpdesk_agent", ["contoso", "northwind"]),
    ("U0SALES01", "Sasha Sales", "sales_agent", ["*"]),
    ("U0USERS01", "Morgan Users", "user_management_admin", ["fabrikam", "globex"]),
]

HEADER = """\
# licensebot demo directory. GENERATED by examples/make_demo.py (seed {seed}): edit the generator, not this file.
#
# To try the bot, replace the slack_user_id of one operator below (U0ADMIN01 is an admin agent for every
# customer) with your own Slack member id (in Slack: your profile, the "..." menu, "Copy member ID").
#
# Product SKUs and names are Microsoft's; the exclusions, requirements and especially the unavailable_in
# locations are illustrative rules for the demo (see the generator's docstring), not Microsoft's lists.
"""


def allowed(held: list[str], sku: str, location: str) -> bool:
    """Whether `sku` may join `held` for a user in `location` under the catalogue's rules (and makes sense)."""
    if location in UNAVAILABLE[sku] or any(h in REDUNDANT_WITH.get(sku, []) for h in held):
        return False
    if any(sku in EXCLUDES[h] or h in EXCLUDES[sku] for h in held):
        return False
    return not REQUIRES[sku] or any(h in REQUIRES[sku] for h in held)


T = TypeVar("T")


def weighted(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), list(weights.values()))[0]


def user_id(first: str, last: str, domain: str, taken: set[str]) -> str:
    text = unicodedata.normalize("NFKD", f"{first}.{last}".translate(ASCII))
    base = re.sub(r"[^a-z.-]", "", "".join(c for c in text if not unicodedata.combining(c)).lower())
    n, uid = 1, f"{base}@{domain}"
    while uid in taken:  # two people with one name, as in any large company
        n += 1
        uid = f"{base}{n}@{domain}"
    taken.add(uid)
    return uid


def users_of(profile: Profile, rng: random.Random) -> list[UserRow]:
    taken = {uid for uid, *_ in profile.fixed}
    generated: list[UserRow] = []
    for _ in range(profile.count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        location = None if rng.random() < profile.unlocated else weighted(rng, profile.countries)
        held: list[str] = []
        if location is not None:
            base = weighted(rng, profile.bases)
            held = [base] if base else []
            held += [sku for sku, p in profile.addons.items() if rng.random() < p and allowed(held, sku, location)]
        generated.append((user_id(first, last, profile.domain, taken), f"{first} {last}", location, held))
    return profile.fixed + sorted(generated)


def subscriptions_of(profile: Profile, users: list[UserRow], rng: random.Random) -> list[tuple[str, int, int | None]]:
    held: dict[str, int] = {}
    for *_, skus in users:
        for sku in skus:
            held[sku] = held.get(sku, 0) + 1
    quantities = dict(profile.unused)
    for sku, n in held.items():
        quantities[sku] = n + profile.spare.get(sku, max(1, n // 10 + rng.randint(0, 3)))
    order = [sku for sku, *_ in CATALOGUE]
    return [(sku, quantities[sku], profile.alert_below.get(sku)) for sku in sorted(quantities, key=order.index)]


PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _.@()/'-]*")
YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def scalar(value: str | int) -> str:
    """A plain scalar where that is safe (not NO, which YAML 1.1 reads as false), else a double-quoted one."""
    if isinstance(value, int) or (PLAIN.fullmatch(value) and value.lower() not in YAML_WORDS):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def flow(values: list[str]) -> str:
    return "[" + ", ".join(scalar(v) for v in values) + "]"


def render() -> str:
    rng = random.Random(SEED)
    out = [HEADER.format(seed=SEED), "products:"]
    for sku, guid, name, requires, unavailable in CATALOGUE:
        out += [f"  - sku: {sku}  # skuId {guid}", f"    name: {scalar(name)}"]
        out += [f"    requires_one_of: {flow(requires)}"] if requires else []
        out += [f"    excludes: {flow(EXCLUDES[sku])}"] if EXCLUDES[sku] else []
        out += [f"    unavailable_in: {flow(unavailable)}"] if unavailable else []
    out.append("\ncustomers:")
    for profile in PROFILES:
        users = users_of(profile, rng)
        out += [f"  - id: {scalar(profile.id)}", f"    name: {scalar(profile.name)}", "    subscriptions:"]
        for sku, quantity, alert in subscriptions_of(profile, users, rng):
            out += [f"      - sku: {sku}", f"        quantity: {quantity}"]
            out += [f"        alert_below: {alert}"] if alert is not None else []
        out += ["    users:"] if users else []
        for uid, name, location, skus in users:
            out += [f"      - id: {scalar(uid)}", f"        name: {scalar(name)}"]
            out += [f"        location: {scalar(location)}"] if location else []
            out += [f"        licenses: {flow(skus)}"] if skus else []
    out.append("\noperators:")
    for slack_id, name, role, customers in OPERATORS:
        out += [f"  - slack_user_id: {slack_id}", f"    name: {scalar(name)}", f"    role: {role}"]
        out += [f"    customers: {flow(customers)}"] if customers is not None else []
    return "\n".join(out) + "\n"


def main() -> None:
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
