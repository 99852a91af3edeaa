"""Every callback, block and action id the app renders and listens for, in one place."""

from __future__ import annotations

# Views (callback_id)
PICK_VIEW = "licenses_pick"
USERS_VIEW = "licenses_users"
MANAGE_VIEW = "licenses_manage"
SAVING_VIEW = "licenses_saving"
RESULT_VIEW = "licenses_result"
BUY_VIEW = "licenses_buy"
BUY_DONE_VIEW = "licenses_buy_done"  # replaces the Buy more form once the request is recorded
NOTICE_VIEW = "licenses_notice"
HISTORY_VIEW = "licenses_history"

# Customer picker
CUSTOMER_BLOCK = "customer"
CUSTOMER_SELECT = "customer_select"  # external_select; options come from the options load URL
CHANGE_CUSTOMER = "change_customer"

# Users and licenses
SEARCH_BLOCK = "search"
SEARCH_INPUT = "user_search"  # dispatches on Enter
USERS_BLOCK_PREFIX = "users:"  # + render revision, so each update redraws the ticks from initial_options
SELECT_USERS = "select_users"  # one checkboxes element, a page of up to 10 users
PAGE_FIRST = "page_first"
PAGE_PREV = "page_prev"
PAGE_NEXT = "page_next"
PAGE_LAST = "page_last"
SELECT_PAGE = "select_page"
CLEAR_PAGE = "clear_page"
CLEAR_ALL = "clear_all"
SHOW_SELECTED = "show_selected"
SHOW_ALL = "show_all"

# Manage licenses
PRODUCT_BLOCK_PREFIX = "product:"  # + sku; an input block with the radio buttons below
PRODUCT_CHOICE = "product_choice"  # radio buttons; their values are licensing.types.Desired values
LOCATION_BLOCK = "location"
LOCATION_INPUT = "location_input"
PREVIEW_BLOCK = "preview"
SAVE_SUMMARY_BLOCK = "save-summary"  # the preview again, next to Save
BUY_MORE = "buy_more"  # a button (one sold-out product) or a static select (several); value/option = sku
PRODUCT_FILTER_BLOCK = "product_filter:"  # + a digest of the filter, so clearing it also empties what was typed
PRODUCT_FILTER_INPUT = "product_filter_input"  # dispatches on Enter
PRODUCT_PAGE_FIRST = "product_page_first"  # the product pager; button values carry the target page
PRODUCT_PAGE_PREV = "product_page_prev"
PRODUCT_PAGE_NEXT = "product_page_next"
PRODUCT_PAGE_LAST = "product_page_last"
SHOW_ALL_PRODUCTS = "show_all_products"  # clears the filter

# Buy more
BUY_QUANTITY_BLOCK = "buy_quantity"
BUY_QUANTITY_INPUT = "buy_quantity_input"

# Buy more, with approval: the note on the form, the request message's buttons (value = the request's number) and
# the Decline reason modal (private_metadata = "<request>:<channel>:<ts>", the message decided on).
BUY_NOTE_BLOCK = "buy_note"
BUY_NOTE_INPUT = "buy_note_input"
PURCHASE_ACTIONS_BLOCK = "purchase_decision"
PURCHASE_APPROVE = "purchase_approve"
PURCHASE_APPROVE_ON = "purchase_approve_on"  # value "<request>:<subscription id>": approve and buy on that one
PURCHASE_DECLINE = "purchase_decline"
DECLINE_VIEW = "purchase_decline_reason"
DECLINE_REASON_BLOCK = "decline_reason"
DECLINE_REASON_INPUT = "decline_reason_input"

# History (/licenses history)
HISTORY_NEWER = "history_newer"  # buttons; their values are cursors, the view's metadata is the filter
HISTORY_OLDER = "history_older"

# App Home: drill into one customer (an external_select, options from the customer type-ahead), back to all, and
# open the users modal for a customer (a button whose value is the customer's id).
HOME_CUSTOMER = "home_customer"
HOME_ALL = "home_all"
HOME_OPEN = "home_open"
HOME_REDUCE = "home_reduce"  # Right-size: a focused customer's Reduce button, value "customer|sku"
REDUCE_VIEW = "licenses_reduce"

# Low-license alerts (blocks/alerts.py): Buy more on an alert message; its value is json [customer_id, sku].
ALERT_ACTIONS_BLOCK = "alert_actions"
ALERT_BUY_MORE = "alert_buy_more"
# Time-bound assignments: Manage licenses' dates, /licenses scheduled's list, and the Home's way into it.
STARTS_BLOCK = "starts_on"
STARTS_INPUT = "starts_on_date"
ENDS_BLOCK = "ends_on"
ENDS_INPUT = "ends_on_date"
SCHEDULED_VIEW = "licenses_scheduled"
SCHEDULED_CANCEL = "scheduled_cancel"  # the button's value is the change's id; the view's metadata is the page
SCHEDULED_PREV = "scheduled_prev"  # paging buttons; their values are offsets
SCHEDULED_NEXT = "scheduled_next"
HOME_SCHEDULED = "home_scheduled"  # opens the /licenses scheduled list from the App Home
SERVICES_OPEN = "services_open"  # Manage licenses' select of products; its option values are SKUs
SERVICES_VIEW = "licenses_services"  # pushed over Manage licenses; private_metadata is "<token>:<sku>"
SERVICE_BLOCK_PREFIX = "service:"  # + servicePlanName; an input block with the radio buttons below
SERVICE_CHOICE = "service_choice"  # radio buttons; their values are licensing.types.Switch values
SERVICE_PAGE_PREV = "service_page_prev"  # the services' pager; button values carry the target page
SERVICE_PAGE_NEXT = "service_page_next"
