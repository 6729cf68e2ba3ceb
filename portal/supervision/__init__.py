"""督办单 as a printable document: the PDF of a notice the centre issued (portal.orders.services.issue_notice),
set in the circulars' Chinese faces. Above orders and circulars, so neither imports it."""
