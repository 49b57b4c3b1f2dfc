"""The playground's sample workspace: a cast, three channels, a few hundred customers, and a history
the scheduler acts on in the first simulated days.

Everything is written through the product's services: first contact, roles and the team
(bot.services.people), the settings store, the bulk import (customers, visits and orders, one
transaction per file, keeping each customer's facts as the app does), claims and a release
(bot.services.pool) and complaints (bot.services.complaints, their cards queued by
bot.messaging.complaints). History is made by running a service with a FixedClock set to the
earlier instant. The same seed gives the same workspace; a workspace that has customers is left alone.

The story is told from day 1's morning: the reminder time (09:00 in Asia/Shanghai) of the first
working day (China's holidays and make-up days count) at or after `now`, or `now` itself when later.
The jobs' first run from that morning sends everything said of "day 1". Recycles come 15 hours to 2
days 15 hours after it: "night N" is the night after day N when the playground starts in the
morning. Fixed customers to script a tour against (English sample / Chinese sample):

- Acme Trading / 明辉贸易: Mei's, level A, ordered about monthly for one to two years, nothing for
  ~75 days; a complaint closed 10 days ago with a satisfaction of 2. Critical: in Mei's churn warning
  of day 1 (order gap, spend down, low satisfaction).
- Blue River Foods / 蓝河食品: in the pool, level B, never ordered: there to be claimed.
- Northwind Supplies / 北风商贸: Mei's prospect, follow-up due on day 1; Mei's reminder of day 1 lists
  it with three overdue follow-ups of hers (1, 3 and 5 days; Li has one, 2 days).
- Harbor Logistics / 港湾物流: Mei's since 45 days before night 1, never visited (level C). In Mei's
  recycle warning of day 1, recycled in night 1 and announced in #customer-pool by that run.
- Summit Hardware / 峰顶五金: Li's, visited but no first order since he claimed it 90 days before
  night 2. Warned on days 1 and 2, recycled in night 2 ("no first order in time").
- Evergreen Packaging / 长青包装: Mei's, two complaints within 30 days, one still open (acknowledged,
  its resolve deadline 42 hours after `now`). At risk: in Mei's churn warning of day 1.
- Jade Garden Catering / 翠园餐饮: Li's, an urgent delivery complaint filed 20 minutes before `now`,
  still open (the SLA job nudges Li 10 minutes after `now` and tells Max at the breach, 40 minutes
  after). At risk: in Li's churn warning of day 1.

- Two open opportunities: Evergreen Packaging's (Mei's), in proposal for 18 days, longer than the
  stage's 14 (in Mei's opportunity reminder of day 1); Jade Garden Catering's (Li's), its expected close
  date 3 days past (in Li's).

Besides: three more of Mei's and Li's prospects go back in nights 2 and 3 (all five are in day 1's
warnings and Max's digest), Wang has two customers at risk (orders stopped; spend down and no visit)
and a low complaint open, and Max's digest of day 1 has the team's visits of the working day before,
the overdue follow-ups, Li's release and Wang's two claims of that day, and the open complaints. The
workspace's language (pool channel, complaint cards) follows DEFAULT_LOCALE: set zh-CN for the
Chinese sample.

The package: the cast, its channels and the workspace types (`cast`), the data's words in English and
Chinese (`words`), the story's calendar (`days`), the plan made from the seed before anything is
written (`plan`) and the writing of it through the services (`seeding`).
"""

from bot.playground.sample.cast import (
    COMPLAINTS,
    POOL,
    SALES,
    TEAM_ID,
    TIMEZONE,
    Sample,
    SampleChannel,
    SampleError,
    SamplePerson,
    SeedReport,
    register,
    sample_workspace,
)
from bot.playground.sample.seeding import is_seeded, seed

__all__ = [
    "COMPLAINTS",
    "POOL",
    "SALES",
    "TEAM_ID",
    "TIMEZONE",
    "Sample",
    "SampleChannel",
    "SampleError",
    "SamplePerson",
    "SeedReport",
    "is_seeded",
    "register",
    "sample_workspace",
    "seed",
]
