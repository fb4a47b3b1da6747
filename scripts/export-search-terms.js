/**
 * auditor: export an account's reports to Google Drive, for `auditor audit` and `auditor review`.
 *
 * A Google Ads Script (Tools > Bulk actions > Scripts, "+", paste, Authorize, Preview, Run).
 * No developer token is needed: it runs inside Google Ads with your own sign-in. It writes the
 * same files as `auditor fetch` (same GAQL, same columns) into
 * Drive: <FOLDER>/<account name>-<customer id>/. Download that folder (or sync it with Google
 * Drive for desktop) and run `auditor audit accounts/ --out-dir results/`.
 *
 * In a manager account it exports every client account (up to ACCOUNT_LIMIT, one after another;
 * a script run stops after 30 minutes, so split very large hierarchies with ACCOUNT_LABEL).
 *
 * Keep the queries in step with auditor/fetch/gaql.py: tests/test_fetch.py compares the
 * field lists of both.
 */

var DAYS = 30; // the last N full days: 7, 14, 30 or 90
var FOLDER = 'auditor accounts'; // Drive folder (created when missing)
var ACCOUNT_LIMIT = 50; // manager accounts: most client accounts exported per run
var ACCOUNT_LABEL = ''; // manager accounts: only client accounts with this label ('' = all)

var METRICS = [
  'metrics.impressions',
  'metrics.clicks',
  'metrics.cost_micros',
  'metrics.conversions',
  'metrics.conversions_value',
  'metrics.all_conversions',
];

var REPORTS = {
  'search-terms.csv': {
    resource: 'search_term_view',
    fields: [
      'search_term_view.search_term',
      'search_term_view.status',
      'segments.search_term_match_type',
      'segments.keyword.info.text',
      'segments.keyword.info.match_type',
      'campaign.name',
      'campaign.advertising_channel_type',
      'ad_group.name',
    ].concat(METRICS, ['customer.currency_code', 'customer.descriptive_name']),
    filters: [],
  },
  'search-terms-pmax.csv': {
    resource: 'campaign_search_term_view',
    fields: [
      'campaign_search_term_view.search_term',
      'campaign.name',
      'campaign.advertising_channel_type',
    ].concat(METRICS, ['customer.currency_code', 'customer.descriptive_name']),
    filters: ["campaign.advertising_channel_type = 'PERFORMANCE_MAX'"],
  },
  'keywords.csv': {
    resource: 'keyword_view',
    fields: [
      'ad_group_criterion.keyword.text',
      'ad_group_criterion.keyword.match_type',
      'ad_group_criterion.status',
      'campaign.name',
      'ad_group.name',
    ].concat(METRICS, ['customer.currency_code']),
    filters: ["ad_group_criterion.status != 'REMOVED'"],
  },
  'conversions-by-action.csv': {
    resource: 'search_term_view',
    fields: [
      'search_term_view.search_term',
      'segments.search_term_match_type',
      'campaign.name',
      'ad_group.name',
      'segments.conversion_action_name',
      'segments.conversion_action_category',
      'metrics.conversions',
      'metrics.conversions_value',
      'metrics.all_conversions',
      'customer.currency_code',
    ],
    filters: [],
  },
  'campaigns-by-day.csv': {
    resource: 'campaign',
    fields: [
      'segments.date',
      'campaign.name',
      'campaign.advertising_channel_type',
    ].concat(METRICS, ['customer.currency_code']),
    filters: ["campaign.advertising_channel_type IN ('SEARCH', 'PERFORMANCE_MAX')"],
  },
};

var NEGATIVES = {
  campaign: {
    resource: 'campaign_criterion',
    fields: ['campaign.name', 'campaign_criterion.keyword.text', 'campaign_criterion.keyword.match_type'],
    filters: [
      'campaign_criterion.negative = TRUE',
      "campaign_criterion.type = 'KEYWORD'",
      "campaign.status != 'REMOVED'",
    ],
  },
  adGroup: {
    resource: 'ad_group_criterion',
    fields: [
      'campaign.name',
      'ad_group.name',
      'ad_group_criterion.keyword.text',
      'ad_group_criterion.keyword.match_type',
    ],
    filters: [
      'ad_group_criterion.negative = TRUE',
      "ad_group_criterion.type = 'KEYWORD'",
      "ad_group_criterion.status != 'REMOVED'",
      "campaign.status != 'REMOVED'",
    ],
  },
  shared: {
    resource: 'shared_criterion',
    fields: ['shared_set.name', 'shared_criterion.keyword.text', 'shared_criterion.keyword.match_type'],
    filters: [
      "shared_set.type = 'NEGATIVE_KEYWORDS'",
      "shared_set.status = 'ENABLED'",
      "shared_criterion.type = 'KEYWORD'",
    ],
  },
  listCampaigns: {
    resource: 'campaign_shared_set',
    fields: ['shared_set.name', 'campaign.name'],
    filters: [
      "shared_set.type = 'NEGATIVE_KEYWORDS'",
      "campaign_shared_set.status = 'ENABLED'",
      "campaign.status != 'REMOVED'",
    ],
  },
};

function main() {
  var root = folderIn(DriveApp.getRootFolder(), FOLDER);
  if (typeof AdsManagerApp === 'undefined') {
    exportAccount(root);
    return;
  }
  var selector = AdsManagerApp.accounts().withLimit(ACCOUNT_LIMIT);
  if (ACCOUNT_LABEL) {
    selector = selector.withCondition("LabelNames CONTAINS '" + ACCOUNT_LABEL + "'");
  }
  var accounts = selector.get();
  while (accounts.hasNext()) {
    var account = accounts.next();
    AdsManagerApp.select(account);
    try {
      exportAccount(root);
    } catch (e) {
      Logger.log(account.getName() + ' (' + account.getCustomerId() + '): failed: ' + e);
    }
  }
}

/** Every report of the selected account into root/<name>-<id>/. */
function exportAccount(root) {
  var account = AdsApp.currentAccount();
  var period = lastDays(DAYS, account.getTimeZone());
  var folder = folderIn(root, folderName(account.getName(), account.getCustomerId()));
  var rows = {};
  var cost = 0;
  Object.keys(REPORTS).forEach(function (name) {
    var table = run(REPORTS[name], period);
    writeCsv(folder, name, REPORTS[name].fields, table);
    rows[name] = table.length;
    if (name.indexOf('search-terms') === 0) {
      table.forEach(function (row) {
        cost += Number(row['metrics.cost_micros'] || 0) / 1e6;
      });
    }
  });
  var negatives = existingNegatives(account.getName());
  writeCsv(folder, 'existing-negatives.csv', EDITOR_COLUMNS, negatives);
  rows['existing-negatives.csv'] = negatives.length;
  var about = {
    customer_id: account.getCustomerId(),
    name: account.getName(),
    currency: account.getCurrencyCode(),
    period: period,
    rows: rows,
  };
  replaceFile(folder, 'fetch.json', JSON.stringify(about, null, 2) + '\n', MimeType.PLAIN_TEXT);
  Logger.log(
    account.getName() + ' (' + account.getCustomerId() + '): ' + rows['search-terms.csv'] +
      ' search terms, ' + rows['search-terms-pmax.csv'] + ' Performance Max terms; cost ' +
      account.getCurrencyCode() + ' ' + cost.toFixed(2) + ' -> ' + folder.getName()
  );
}

/** {start, end}: the `days` full days before today in the account's time zone. */
function lastDays(days, timeZone) {
  var day = 24 * 3600 * 1000;
  var now = new Date();
  return {
    start: Utilities.formatDate(new Date(now.getTime() - days * day), timeZone, 'yyyy-MM-dd'),
    end: Utilities.formatDate(new Date(now.getTime() - day), timeZone, 'yyyy-MM-dd'),
  };
}

/** The query's rows as objects keyed by GAQL field name (AdsApp.report keeps those names). */
function run(query, period) {
  var where = [];
  if (period) {
    where.push("segments.date BETWEEN '" + period.start + "' AND '" + period.end + "'");
  }
  where = where.concat(query.filters);
  var gaql = 'SELECT ' + query.fields.join(', ') + ' FROM ' + query.resource +
    (where.length ? ' WHERE ' + where.join(' AND ') : '');
  var out = [];
  var rows = AdsApp.report(gaql).rows();
  while (rows.hasNext()) {
    var row = rows.next();
    var record = {};
    query.fields.forEach(function (f) {
      record[f] = row[f];
    });
    out.push(record);
  }
  return out;
}

// Editor's columns, led by Account as in its exports (auditor's own negatives file has none).
var EDITOR_COLUMNS = ['Account', 'Campaign', 'Ad group', 'Keyword', 'Criterion Type', 'Shared set name'];

/** Campaign, ad-group and shared-list negatives as Google Ads Editor rows; a shared list counts
 * only when a campaign uses it. */
function existingNegatives(accountName) {
  var attached = {};
  run(NEGATIVES.listCampaigns, null).forEach(function (r) {
    attached[r['shared_set.name']] = true;
  });
  var out = [];
  run(NEGATIVES.campaign, null).forEach(function (r) {
    out.push(editorRow(accountName, r['campaign.name'], '', r['campaign_criterion.keyword.text'],
      'Campaign Negative ', r['campaign_criterion.keyword.match_type'], ''));
  });
  run(NEGATIVES.adGroup, null).forEach(function (r) {
    out.push(editorRow(accountName, r['campaign.name'], r['ad_group.name'],
      r['ad_group_criterion.keyword.text'],
      'Negative ', r['ad_group_criterion.keyword.match_type'], ''));
  });
  run(NEGATIVES.shared, null).forEach(function (r) {
    if (attached[r['shared_set.name']]) {
      out.push(editorRow(accountName, '', '', r['shared_criterion.keyword.text'], 'Negative ',
        r['shared_criterion.keyword.match_type'], r['shared_set.name']));
    }
  });
  return out;
}

function editorRow(account, campaign, adGroup, text, prefix, match, list) {
  var kind = String(match).toLowerCase();
  return {
    'Account': account,
    'Campaign': campaign,
    'Ad group': adGroup,
    'Keyword': text,
    'Criterion Type': prefix + kind.charAt(0).toUpperCase() + kind.slice(1),
    'Shared set name': list,
  };
}

/** `<name>-<id digits>`, as `auditor fetch` names the folder. */
function folderName(name, customerId) {
  var clean = String(name).replace(/[^\p{L}\p{N}_.-]+/gu, '_').replace(/^[._]+|[._]+$/g, '');
  var id = String(customerId).replace(/-/g, '');
  return clean ? clean + '-' + id : id;
}

function csvCell(value) {
  var text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

function writeCsv(folder, name, columns, table) {
  var lines = [columns.map(csvCell).join(',')];
  table.forEach(function (row) {
    lines.push(columns.map(function (c) { return csvCell(row[c]); }).join(','));
  });
  replaceFile(folder, name, lines.join('\n') + '\n', MimeType.CSV);
}

function replaceFile(folder, name, content, mimeType) {
  var old = folder.getFilesByName(name);
  while (old.hasNext()) {
    old.next().setTrashed(true);
  }
  folder.createFile(name, content, mimeType);
}

function folderIn(parent, name) {
  var found = parent.getFoldersByName(name);
  return found.hasNext() ? found.next() : parent.createFolder(name);
}
