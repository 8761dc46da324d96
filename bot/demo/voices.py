"""What the demo's partners write, by the kind of organisation and the season: each blocker is a
beat of the story, raised on a day, answered by a lead (a reply, taking it on, a decision, won't
fix) and said resolved by the partner some days later; and comments that change with the winter.

December is staffing and referrals; Christmas, holiday cover; the January surge, discharges and
packages; February eases; March is contracts ending. Chosen by day and organisation, never at
random: the same winter tells the same story.
"""

from __future__ import annotations

import random
from datetime import date

from bot.checkin.blockers import same_words
from bot.demo.beats import GP, HOME_CARE, LEAD_OF, VCS, Beat

d = date
B = Beat
__all__ = ["LEAD_OF", "Beat", "beat_of", "comment_for", "due_beat"]


COMMUNITY_NURSING = (
    B(
        d(2026, 12, 9),
        "Two district nurse vacancies; first visits after discharge slipping to day three.",
        answer="take",
        by="icb",
        note="Bank nurses booked for December.",
        settles=5,
    ),
    B(
        d(2027, 1, 4),
        "Visits deferred every day: insulin first, wound care waits.",
        note="Reablement does welfare checks so your nurses keep the clinical visits.",
        settles=4,
    ),
    B(
        d(2027, 1, 19),
        "No syringe drivers in stock for people going home to die; the hospice is lending its own.",
        by="hospital",
        note="Ten syringe drivers ordered for Thursday.",
        settles=2,
    ),
    B(
        d(2027, 2, 16),
        "Agency nurses leave at the end of February; visits will slip again in March.",
        by="icb",
        wait=2,
        note="Bank cover funded to 31 March.",
    ),
)
HOUSING = (
    B(
        d(2026, 12, 4),
        "Two people ready to leave hospital have no home to go to; no short-term flat free.",
        answer="take",
        note="Housing options finds two rooms this week.",
        settles=4,
    ),
    B(
        d(2027, 1, 13),
        "Three people need a ramp fitted before they can go home.",
        wait=2,
        note="The handyperson service fits temporary ramps within two days.",
    ),
    B(
        d(2027, 3, 2),
        "Short-term flats funded to 31 March: two tenants have nowhere to move on to.",
        note="Housing options offers both a permanent tenancy by 26 March.",
    ),
)
HOSPICE = (
    B(
        d(2026, 12, 11),
        "End-of-life discharges wait a day for transport; people are dying on the ward.",
        answer="take",
        by="hospital",
        note="End-of-life transport is booked first from today.",
        settles=4,
    ),
    B(
        d(2026, 12, 22),
        "Hospice at home down to two nurses from 24 to 28 December.",
        by="icb",
        note="Community nursing covers the overnight calls over Christmas.",
    ),
    B(
        d(2027, 1, 20),
        "Lending our syringe drivers to community nursing leaves us two short.",
        by="hospital",
        note="New ones arrive Thursday; yours come back on Friday.",
        settles=2,
    ),
    B(
        d(2027, 3, 4),
        "Families ask whether hospice at home care stops when the fund ends.",
        by="icb",
        note="Care already started continues: the ICB funds it to the end.",
        settles=2,
    ),
)
CARE_HOME = (
    B(
        d(2026, 12, 9),
        "People arrive from the ward at 7pm without medication; night staff cannot admit safely.",
        by="hospital",
        note="No discharges to care homes after 5pm from Monday.",
    ),
    B(
        d(2026, 12, 30),
        "Step-down beds full since Christmas; we are turning referrals away.",
        answer="take",
        by="icb",
        note="More beds are on the leads' agenda for 8 January.",
        decided_on=d(2027, 1, 8),
    ),
    B(
        d(2027, 1, 25),
        "We cannot staff the extra step-down beds until the funding is confirmed in writing.",
        answer="take",
        by="icb",
        note="Confirmation is due this week.",
        decided_on=d(2027, 1, 29),
        settles=2,
    ),
    B(
        d(2027, 3, 11),
        "Step-down funding ends 31 March: four residents have no plan for April.",
        note="Social workers review all four by 24 March.",
    ),
)
ACUTE = (
    B(
        d(2026, 12, 2),
        "The hub hears of community delays only at 4pm; nobody meets daily.",
        answer="take",
        note="A daily huddle goes to the leads on Friday.",
        decided_on=d(2026, 12, 4),
        settles=2,
    ),
    B(
        d(2026, 12, 15),
        "Transport from the ward was two hours late twice; people arrived home after dark.",
        note="The transport contract adds a second evening crew from Monday.",
    ),
    B(
        d(2027, 1, 5),
        "Fourteen people medically fit and waiting for a package or a bed.",
        answer="take",
        note="Brokerage calls every provider daily; more beds go to the leads on Friday.",
        decided_on=d(2027, 1, 8),
        settles=5,
    ),
    B(
        d(2027, 2, 3),
        "Pharmacy takes four hours over medicines to take home; discharges slip to the evening.",
        answer="take",
        by="hospital",
        note="Pharmacy puts discharge prescriptions first from Monday.",
    ),
)
STATUTORY = (
    B(
        d(2026, 12, 8),
        "Reablement two staff short this week; new starts wait a day.",
        by="icb",
        note="Two agency reablement workers start on Thursday.",
        settles=2,
    ),
    B(
        d(2027, 1, 11),
        "Reablement full: twelve people waiting for a start, the longest five days.",
        by="icb",
        note="The ICB funds agency reablement staff for four weeks.",
        settles=4,
    ),
    B(
        d(2027, 3, 17),
        "Reablement agency staff go on 31 March; April's caseload needs a plan now.",
        by="icb",
        wait=2,
        note="Planning meeting on 23 March.",
        settles=2,
    ),
)
ICB = (
    B(
        d(2027, 1, 26),
        "The return needs step-down bed costs split by funding source; the provider's invoices are not.",
        note="Use the return's funding source column; the council splits the invoices.",
        settles=2,
    ),
)
BEATS: dict[str, tuple[Beat, ...]] = {
    "home_care": HOME_CARE,
    "vcs": VCS,
    "gp": GP,
    "community_nursing": COMMUNITY_NURSING,
    "housing": HOUSING,
    "hospice": HOSPICE,
    "care_home": CARE_HOME,
    "acute_trust": ACUTE,
    "local_authority": STATUTORY,
    "icb": ICB,
}
BY_WORDS = {same_words(b.text): b for beats in BEATS.values() for b in beats}
DUE_FOR_DAYS = 8  # a beat not raised within a week of its day (the partner did not check in) is let go


def beat_of(text: str) -> Beat | None:
    return BY_WORDS.get(same_words(text))


def due_beat(kind: str, organisation: str, day: date, raised: set[str]) -> Beat | None:
    """The organisation's next blocker to raise today: the earliest whose day has come (within a
    week) and that it has not raised yet."""
    for beat in BEATS.get(kind, ()):
        fits = beat.only in (None, organisation)
        if fits and beat.on <= day and (day - beat.on).days < DUE_FOR_DAYS and same_words(beat.text) not in raised:
            return beat
    return None


# -- comments: the season in a sentence --------------------------------------------------------------

SEASONS = (
    (d(2026, 12, 18), "december"),
    (d(2027, 1, 3), "christmas"),
    (d(2027, 1, 29), "surge"),
    (d(2027, 2, 28), "easing"),
    (d(2027, 3, 31), "march"),
)
COMMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "home_care": {
        "december": ("Recruited two carers this week; they start after their checks.",),
        "christmas": ("Every Christmas Day call was made, some of them late.",),
        "surge": ("Hospital referrals doubled this week; rotas run seven days.",),
        "easing": ("Waiting list down to four people.",),
        "march": ("Two carers leave at the end of March; we are recruiting.",),
    },
    "vcs": {
        "december": ("Volunteers met every discharge at the door this week.",),
        "christmas": ("Volunteers stretched over the holidays but every discharge was met.",),
        "surge": ("Settled eleven people home on Tuesday, a record.",),
        "easing": ("A quieter week: volunteers caught up on follow-up calls.",),
        "march": ("Thank-you lunch for the volunteers on 26 March.",),
    },
    "gp": {
        "surge": ("Post-discharge reviews within two days again.",),
        "easing": ("Care home rounds back to weekly.",),
    },
    "community_nursing": {
        "december": ("Bank nurses settling in well.",),
        "surge": ("Every insulin visit made, some late in the evening.",),
        "easing": ("Deferred visits down to two a day.",),
    },
    "housing": {
        "december": ("One short-term flat freed up; it went the same day.",),
        "easing": ("No one waiting in hospital for housing this week.",),
    },
    "hospice": {
        "december": ("Rapid discharges home within 24 hours for everyone who asked.",),
        "surge": ("Hospice at home busy but coping.",),
        "march": ("Families' feedback on rapid discharge has been warm.",),
    },
    "care_home": {
        "christmas": ("Step-down beds full over Christmas; residents settled well.",),
        "surge": ("Admissions every day this week, two at weekends.",),
        "easing": ("Four step-down residents went home this week.",),
    },
}
COMMENT_CHANCE = 0.12


def season_of(day: date) -> str:
    return next((name for until, name in SEASONS if day <= until), "march")


def comment_for(kind: str, organisation: str, day: date) -> str | None:
    """Now and then a comment of the season, the same for the same organisation and day."""
    said = COMMENTS.get(kind, {}).get(season_of(day), ())
    voice = random.Random(f"{organisation}:{day.isoformat()}")
    if not said or voice.random() >= COMMENT_CHANCE:
        return None
    return voice.choice(said)
