"""Every Slack id the views and listeners share: action ids, callback ids, block ids."""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    CRM = "/crm"
    CUSTOMER = "/customer"
    VISIT = "/visit"
    ORDER = "/order"
    POOL = "/pool"
    CLAIM = "/claim"
    RELEASE = "/release"
    ASSIGN = "/assign"
    COMPLAINT = "/complaint"
    DEAL = "/deal"


class Action(StrEnum):
    CUSTOMER_NEW = "customer.new"
    CUSTOMER_VIEW = "customer.view"
    CUSTOMER_PICK = "customer.pick"  # the external_select type-ahead in every modal
    VISIT_OPEN = "visit.open"
    VISIT_PICK = "visit.pick"  # a candidate button of `/visit name: note`
    ORDER_OPEN = "order.open"
    HOME_REFRESH = "home.refresh"
    POOL_CLAIM = "pool.claim"  # value: a customer id, or JSON {"c": id, "q": filters} from a /pool page
    POOL_PAGE = "pool.page"
    POOL_FILTER = "pool.filter"
    CUSTOMER_RELEASE = "customer.release"
    CUSTOMER_LOCK = "customer.lock"
    CUSTOMER_UNLOCK = "customer.unlock"
    CUSTOMER_LEVEL = "customer.level"  # a select; value: "<customer id>:<A|B|C|auto>"
    CUSTOMER_MARK_LOST = "customer.mark_lost"  # value: a customer id
    CUSTOMER_EDIT = "customer.edit"  # value: a customer id
    CUSTOMER_MERGE = "customer.merge"  # value: the survivor's id
    CONTACT_ADD = "contact.add"  # value: a customer id
    CONTACT_MENU = "contact.menu"  # a contact's overflow; value: "edit:12", "primary:12", "remove:12"
    CUSTOMER_UNDO = "customer.undo"  # value: a customer id; undoes the person's release or mark lost
    RECORD_MENU = "record.menu"  # a visit's or order's overflow; value: "correct:visit:12", "delete:order:5"
    SETTINGS_CHANNEL = "settings.channel"
    SNOOZE = "followup.snooze"  # value: "<customer id>:<days>"
    SNOOZE_DATE = "followup.snooze_date"  # a datepicker in block "followup.<customer id>"
    ASK_MORE_DAYS = "recycle.ask"  # value: a customer id
    EXTENSION_APPROVE = "recycle.approve"  # value: an extension request id
    EXTENSION_DECLINE = "recycle.decline"
    APPROVAL_APPROVE = "approval.approve"  # value: an approval request id
    APPROVAL_DECLINE = "approval.decline"
    PLAN_VISIT = "churn.plan"  # value: a customer id
    DIGEST_REASSIGN = "digest.reassign"  # value: a customer id
    DIGEST_EXTEND = "digest.extend"  # value: a customer id
    DIGEST_NUDGE = "digest.nudge"  # value: "<rep id>:<customer id>"
    # Complaint card buttons; value: a complaint id.
    COMPLAINT_ACK = "complaint.ack"
    COMPLAINT_NOTE = "complaint.note"
    COMPLAINT_RESOLVE = "complaint.resolve"
    COMPLAINT_REOPEN = "complaint.reopen"
    COMPLAINT_CLOSE = "complaint.close"
    COMPLAINT_REASSIGN = "complaint.reassign"
    COMPLAINT_TAKE_OVER = "complaint.take_over"
    COMPLAINT_NEW = "complaint.new"  # value: a customer id, or empty
    HOME_SEE_ALL = "home.see_all"  # value: the name of a Home list (bot.views.home.HomeList)
    HOME_PAGE = "home.page"  # in a See all modal; value: JSON {"l": list, "o": offset}
    HOME_POOL = "home.pool"  # Browse pool: the first /pool page, in the app's DM
    HOME_SETTINGS = "home.settings"  # Edit settings: the `/crm settings` form
    # An opportunity card's buttons; value: "<number>:<version>" (the version the card was drawn at).
    OPPORTUNITY_NEXT = "opportunity.next"
    OPPORTUNITY_WON = "opportunity.won"
    OPPORTUNITY_LOST = "opportunity.lost"
    OPPORTUNITY_SET_STAGE = "opportunity.set_stage"  # a select; value: "<number>:<version>:<stage id>"
    OPPORTUNITY_VIEW = "opportunity.view"  # value: the number
    OPPORTUNITY_NEW = "opportunity.new"  # value: a customer id, or empty
    OPPORTUNITY_SNOOZE = "opportunity.snooze"  # a morning reminder's; value: "<number>:<days>"
    OPPORTUNITY_EDIT = "opportunity.edit"  # value: "<number>:<version>"
    OPPORTUNITY_VISIT = "opportunity.visit"  # Log visit on the card; value: the number


class Callback(StrEnum):
    CUSTOMER_NEW = "customer.new"
    CUSTOMER_CONFIRM = "customer.confirm"
    CUSTOMER_EDIT = "customer.edit"
    CUSTOMER_EDIT_CONFIRM = "customer.edit_confirm"
    VISIT_LOG = "visit.log"
    ORDER_LOG = "order.log"
    LOG_AS_VISIT = "visit.from_message"  # the message shortcut
    ASK_MORE_DAYS = "recycle.ask"
    CONTACT_SAVE = "contact.save"
    CONTACT_REMOVE = "contact.remove"
    MERGE_PICK = "customer.merge_pick"
    MERGE_CONFIRM = "customer.merge_confirm"
    CORRECT_VISIT = "record.correct_visit"
    CORRECT_ORDER = "record.correct_order"
    DELETE_RECORD = "record.delete"
    RELEASE = "pool.release"
    MARK_LOST = "customer.mark_lost"
    POOL_FILTER = "pool.filter"
    SETTINGS = "crm.settings"
    PLAN_VISIT = "churn.plan"
    REASSIGN = "digest.reassign"
    COMPLAINT_FILE = "complaint.file"
    COMPLAINT_NOTE = "complaint.note"
    COMPLAINT_RESOLVE = "complaint.resolve"
    COMPLAINT_REOPEN = "complaint.reopen"
    COMPLAINT_CLOSE = "complaint.close"
    COMPLAINT_REASSIGN = "complaint.reassign"
    HOME_LIST = "home.list"  # a See all modal (nothing to submit)
    OPPORTUNITY_NEW = "opportunity.new"
    OPPORTUNITY_LOST = "opportunity.lost"
    OPPORTUNITY_EDIT = "opportunity.edit"
    OPPORTUNITY_STAGES = "opportunity.stages"


FOLLOW_UP_BLOCK = "followup"  # "followup.<customer id>": a reminder row's actions


class Field(StrEnum):
    """Input block ids; the element inside each has the same action id."""

    NAME = "name"
    CONTACT_PERSON = "contact_person"
    TITLE = "title"
    PRIMARY = "primary"
    PHONE = "phone"
    EMAIL = "email"
    REGION = "region"
    INDUSTRY = "industry"
    PRODUCTS = "products"
    TAGS = "tags"
    SOURCE = "source"
    LEVEL = "level"
    OWNER = "owner"
    CUSTOMER = "customer"
    KIND = "kind"
    VISITED_ON = "visited_on"
    NOTE = "note"
    SATISFACTION = "satisfaction"
    NEXT_FOLLOW_UP = "next_follow_up"
    AMOUNT = "amount"
    CURRENCY = "currency"
    RATE = "rate"
    ORDERED_ON = "ordered_on"
    PRODUCT = "product"
    REASON = "reason"
    TEXT = "text"
    CATEGORY = "category"
    SEVERITY = "severity"
    DESCRIPTION = "description"
    CONTACT_CHANNEL = "contact_channel"
    RESOLUTION = "resolution"
    COMMENT = "comment"
    ASSIGNEE = "assignee"
    STAGE = "stage"
    PROBABILITY = "probability"
    CLOSE_ON = "expected_close_on"
    NEXT_STEP = "next_step"
    OPPORTUNITIES = "opportunities"  # a release's: what becomes of the customer's open opportunities
    OPPORTUNITY = "opportunity"  # a visit's: the opportunity it was about
