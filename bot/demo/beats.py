"""The story's blockers, part one: the Beat, and the home care providers', the voluntary sector's and
the GP practices' winter (bot.demo.voices has the rest and chooses among them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

d = date


@dataclass(frozen=True)
class Beat:
    """A blocker in the story. `answer`: the lead's step (reply, take, resolve, wontfix), or
    "none" when the partner sorts it out alone within `settles` working days of raising it (no
    beat uses it today: the digest's "you said, we did" would still show such a blocker as
    "no answer yet" in the week it was raised, though it is resolved).
    `by`: whose lead answers (LEAD_OF). `wait`: working days before the lead answers (1: the
    next morning, after the brief). `settles`: working days after the last answer (after the
    decision when `decided_on` is set) before the partner says resolved. `only`: one
    organisation of the kind. `replaces`: the words of an earlier beat this one changes."""

    on: date
    text: str
    answer: str = "reply"
    note: str | None = None
    by: str = "council"
    wait: int = 1
    settles: int = 3
    decided_on: date | None = None
    only: str | None = None
    replaces: str | None = None


LEAD_OF = {"council": "U0VALE00003", "hospital": "U0VALE00004", "icb": "U0VALE00005"}
B = Beat
HOME_CARE = (
    B(
        d(2026, 12, 3),
        "Two carers off sick this week; new packages cannot start before Thursday.",
        note="Reablement will bridge the two waiting packages until Thursday.",
        settles=2,
        only="brightside-care",
    ),
    B(
        d(2026, 12, 8),
        "Referrals for packages arrive with no care plan; we phone the ward for every one.",
        by="hospital",
        wait=2,
        note="The discharge hub attaches the care plan to every referral from Monday.",
        only="meadowbank-care",
    ),
    B(
        d(2026, 12, 14),
        "Rotas full to 24 December: we cannot start any new package before Christmas.",
        answer="take",
        note="The leads decide on cover at Friday's huddle.",
        decided_on=d(2026, 12, 18),
        only="brightside-care",
    ),
    B(
        d(2026, 12, 21),
        "Taking Brightside's overflow: at most three new packages a day until 8 January.",
        note="Agreed: the hub sends no more than three a day, by noon.",
        settles=5,
        only="meadowbank-care",
    ),
    B(
        d(2027, 1, 5),
        "Flu: three carers off; nine people waiting for a package of care.",
        note="Reablement takes the four longest waits this week.",
        only="brightside-care",
    ),
    B(
        d(2027, 1, 8),
        "Flu now in six carers; fourteen people waiting, some for a week.",
        answer="take",
        note="Agency cover booked through the council's framework from Monday.",
        settles=6,
        only="brightside-care",
        replaces="Flu: three carers off; nine people waiting for a package of care.",
    ),
    B(
        d(2027, 1, 11),
        "Bridging care ends 31 January: tell us by mid-January or we must give staff notice.",
        answer="take",
        by="icb",
        note="It goes to the leads on Friday.",
        decided_on=d(2027, 1, 15),
        settles=2,
        only="meadowbank-care",
    ),
    B(
        d(2027, 2, 8),
        "Two agency carers want permanent contracts; the recruitment payment excludes agency staff.",
        answer="take",
        note="The leads decide on Friday.",
        decided_on=d(2027, 2, 12),
        settles=2,
        only="brightside-care",
    ),
    B(
        d(2027, 2, 22),
        "The hub still sends package referrals after 4pm on Fridays.",
        by="hospital",
        wait=2,
        note="Friday referrals go by 2pm from next week.",
        only="meadowbank-care",
    ),
    B(
        d(2027, 3, 8),
        "Carers ask whether their retention bonus is clawed back if they leave in April.",
        note="No clawback after 31 March: the terms are the ones they signed.",
        settles=2,
        only="brightside-care",
    ),
    B(
        d(2027, 3, 15),
        "Bridging contract ends 31 March: six people still on bridging care with no package booked.",
        answer="take",
        note="Brokerage books all six by 26 March.",
        settles=5,
        only="meadowbank-care",
    ),
)
VCS = (
    B(
        d(2026, 12, 2),
        "Referrals arriving after 4pm with no medication list; we cannot settle people safely.",
        by="hospital",
        note="Wards send the medication list with the referral, and none after 3pm.",
    ),
    B(
        d(2026, 12, 10),
        "Volunteer drivers down to five; take-home runs after 6pm cannot be covered.",
        wait=2,
        note="The council's transport team covers runs after 6pm until Christmas.",
        only="age-well-vale",
    ),
    B(
        d(2026, 12, 21),
        "Volunteers away over Christmas: six people settled a day, not ten, until 3 January.",
        answer="take",
        note="Age Well Vale and reablement share the rest.",
        settles=6,
        only="vale-home-from-hospital",
    ),
    B(
        d(2027, 1, 6),
        "Key safes are the hold-up: three people waited a day at home without one.",
        note="The equipment service fits key safes the same day when asked before 2pm.",
        only="vale-home-from-hospital",
    ),
    B(
        d(2027, 1, 12),
        "Referrals turned away twice: nobody free to collect people from the ward after 4pm.",
        by="hospital",
        wait=2,
        note="Hospital transport takes the late ones until the surge passes.",
        settles=4,
        only="age-well-vale",
    ),
    B(
        d(2027, 2, 9),
        "Volunteers' mileage claims for January not yet paid.",
        note="Finance pays them on Friday's run.",
        settles=2,
        only="vale-home-from-hospital",
    ),
    B(
        d(2027, 3, 3),
        "Our contract ends 31 March: nobody has said whether take-home support continues.",
        answer="wontfix",
        by="icb",
        note="The fund cannot run past 31 March; the council's core offer takes on take-home support.",
        only="age-well-vale",
    ),
    B(
        d(2027, 3, 10),
        "Two volunteer coordinator posts end on 31 March: who takes the rota over?",
        note="The council's community team takes the rota; handover meeting on 24 March.",
        only="vale-home-from-hospital",
    ),
)
GP = (
    B(
        d(2026, 12, 7),
        "Discharge letters are not reaching us; same-day slots gone by 10:30 on Mondays.",
        by="hospital",
        note="Letters now go electronically the same day; tell us of any that do not.",
        settles=4,
    ),
    B(
        d(2027, 1, 7),
        "Same-day slots gone by 10:00; post-discharge reviews waiting up to four days.",
        answer="take",
        by="icb",
        note="Extra GP sessions funded from next week.",
        settles=5,
    ),
    B(
        d(2027, 3, 9),
        "GP sessions for care home rounds end 31 March; the homes have not been told.",
        by="icb",
        wait=2,
        note="The ICB writes to every home this week.",
        settles=2,
    ),
)
