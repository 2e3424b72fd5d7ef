import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import {
  allCountries, CODE_SYSTEMS, COUNTRIES_CSV_PATH, countryByIso2, countryCodes, parseCountriesCsv,
  partnerFromCensusCode, partnerFromMofCode, partnerFromMofPressAbbr,
} from '../../src/ref/countries.js';
import { generateReferenceSql, REFERENCE_SQL_PATH, sqlLiteral } from '../../scripts/gen-ref-sql.js';
import { DataError } from '../../src/core/errors.js';
import { backends, useDb } from '../helpers/db.js';

// The source lists live beside the reference they build; the press files are the MOF fixtures.
const FILES: Record<string, string> = {
  'schedule_c_country.txt': '../../ref/sources/schedule_c_country.txt',
  'liapunov_JapanTrade_Countries.csv': '../../ref/sources/liapunov_JapanTrade_Countries.csv',
  'press_2024124en.xml': '../../fixtures/mof/press/2024124e.xml',
  'mof_press_2025104e_excerpt.xml': '../../fixtures/mof/press/2025104e_excerpt.xml',
};
const data = (f: string) => new URL(FILES[f] ?? `./missing/${f}`, import.meta.url);
const read = (f: string) => fs.readFileSync(data(f), 'utf8');

const PRESS_FILES = ['press_2024124en.xml', 'mof_press_2025104e_excerpt.xml'];

/** pg2 rows of a real press XML: [kbn, abbreviation] with XML entities decoded. */
function pg2Areas(xml: string): Array<[string, string]> {
  const pg2 = /<chiikikunisogaku[ >][\s\S]*?<\/chiikikunisogaku>/.exec(xml)?.[0] ?? '';
  return [...pg2.matchAll(/<chiikikunikbn>(\d)<\/chiikikunikbn><chiikikuni>([^<]*)<\/chiikikuni>/g)]
    .map((m) => [m[1]!, m[2]!.replaceAll('&amp;', '&')]);
}

describe('lookups', () => {
  it.each([
    ['304', 'US'], ['105', 'CN'], ['103', 'KR'], ['213', 'DE'], ['246', 'SK'], ['999', 'mof3:999'], ['701', 'mof3:701'],
  ])('MOF code %s → %s', (code, want) => expect(partnerFromMofCode(code)).toBe(want));

  it.each([
    ['5880', 'JP'], ['5700', 'CN'], ['2010', 'MX'], ['1220', 'CA'], ['5800', 'KR'], ['4280', 'DE'], ['1000', 'US'],
    ['-', 'WORLD'], ['0003', 'census:0003'], ['0027', 'census:0027'], ['4803', 'XK'], ['5082', 'census:5082'], ['7660', 'CD'],
  ])('Census code %s → %s', (code, want) => expect(partnerFromCensusCode(code)).toBe(want));

  it.each([
    ['R KOREA', 'KR'], ['HG KONG', 'HK'], ['U KING', 'GB'], ['USA', 'US'], ['CHINA', 'CN'], ['RUSSIA', 'RU'],
    ['(ASEAN)', 'mof:(ASEAN)'], ['ASIA', 'mof:ASIA'], ['C&E EURO', 'mof:C&E EURO'], ['(EU)', 'mof:(EU)'],
    ['Grand Total', 'WORLD'], ['TOTAL', 'WORLD'], ['WORLD', 'WORLD'],
    // Page-title spellings: same partner ids as pg2.
    ['( USA )', 'US'], ['( R KOREA )', 'KR'], ['( ASEAN )', 'mof:(ASEAN)'], ['( EU )', 'mof:(EU)'],
    ['( MIDDLE EAST )', 'mof:MIDDLE EAST'], ['( World )', 'WORLD'], ['  R  KOREA ', 'KR'],
  ])('press area %j → %s', (abbr, want) => expect(partnerFromMofPressAbbr(abbr)).toBe(want));

  it('refuses empty codes instead of inventing a partner', () => {
    expect(() => partnerFromMofCode(' ')).toThrow(RangeError);
    expect(() => partnerFromCensusCode('')).toThrow(RangeError);
    expect(() => partnerFromMofPressAbbr('')).toThrow(RangeError);
  });

  it('countryByIso2 and allCountries', () => {
    expect(countryByIso2('JP')).toMatchObject({ iso3: 'JPN', nameJa: '日本', mofCode: null, censusCode: '5880', mofPressAbbr: null });
    expect(countryByIso2('us')).toMatchObject({ iso3: 'USA', nameJa: 'アメリカ合衆国', mofCode: '304', censusCode: '1000', mofPressAbbr: 'USA' });
    expect(countryByIso2('ZZ')).toBeUndefined();
    expect(allCountries()).toHaveLength(241);
    expect(allCountries().map((c) => c.iso2)).toEqual([...allCountries().map((c) => c.iso2)].sort());
  });
});

describe('ref/countries.csv against the real source lists', () => {
  it('every ISO code of Census Schedule C has its row (KV = Kosovo → XK; GZ/WE are no ISO country)', () => {
    const lines = read('schedule_c_country.txt').split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => /^\d{4}\s*\|/.test(l));
    expect(lines).toHaveLength(240);
    let withIso = 0;
    for (const l of lines) {
      const code = l.slice(0, 4);
      // The ISO column is the last two characters; line 7660 overflows its name into it.
      const iso = l.slice(-2);
      expect(iso, l).toMatch(/^[A-Z]{2}$/);
      withIso++;
      const want = iso === 'KV' ? 'XK' : iso === 'GZ' || iso === 'WE' ? `census:${code}` : iso;
      expect(partnerFromCensusCode(code), l).toBe(want);
    }
    const censusRows = allCountries().filter((c) => c.censusCode !== null);
    expect(censusRows).toHaveLength(withIso - 2);
  });

  it('MOF codes: the authoritative list of mof.md §4, and every code of the third-party list', () => {
    // /work/shared/sources/mof.md §4 — these win over the third-party list.
    const official: Record<string, string> = {
      103: 'KR', 105: 'CN', 106: 'TW', 108: 'HK', 110: 'VN', 111: 'TH', 112: 'SG', 113: 'MY', 117: 'PH', 118: 'ID', 123: 'IN',
      205: 'GB', 207: 'NL', 208: 'BE', 210: 'FR', 213: 'DE', 215: 'CH', 220: 'IT', 224: 'RU', 302: 'CA', 304: 'US',
      305: 'MX', 410: 'BR', 601: 'AU', 606: 'NZ',
    };
    for (const [code, iso] of Object.entries(official)) expect(partnerFromMofCode(code), code).toBe(iso);

    const listed = Papa.parse<Record<string, string>>(read('liapunov_JapanTrade_Countries.csv'), { header: true, skipEmptyLines: true }).data;
    expect(listed).toHaveLength(235);
    // Areas that are not one ISO country (parts of a country, dissolved or multi-country groupings, special areas).
    const notCountries = ['216', '326', '327', '415', '502', '523', '605', '701', '702', '703'];
    const mapped = listed.filter((r) => !notCountries.includes(r.Code!));
    for (const r of listed) {
      const p = partnerFromMofCode(r.Code!);
      if (notCountries.includes(r.Code!)) expect(p, r.Country).toBe(`mof3:${r.Code}`);
      else expect(p, `${r.Code} ${r.Country}`).toMatch(/^[A-Z]{2}$/);
    }
    expect(allCountries().filter((c) => c.mofCode !== null).map((c) => c.mofCode).sort()).toEqual(mapped.map((r) => r.Code).sort());
    // Spot checks that the English names agree with the mapping.
    const name = (code: string) => listed.find((r) => r.Code === code)?.Country;
    expect([name('246'), partnerFromMofCode('246')]).toEqual(['Slovakia', 'SK']);
    expect([name('203'), partnerFromMofCode('203')]).toEqual(['Sweden', 'SE']);
    expect([name('248'), partnerFromMofCode('248')]).toEqual(['Kosovo', 'XK']);
    expect([name('158'), partnerFromMofCode('158')]).toEqual(['The West Bank and Gaza Strip', 'PS']);
  });

  it.each(PRESS_FILES)('every pg2 country of %s maps to an ISO code, every region stays mof:<ABBR>', (file) => {
    const areas = pg2Areas(read(file));
    expect(areas.filter(([k]) => k === '2').length).toBeGreaterThan(file.includes('excerpt') ? 4 : 30);
    for (const [kbn, abbr] of areas) {
      const p = partnerFromMofPressAbbr(abbr);
      if (kbn === '2') {
        expect(p, abbr).toMatch(/^[A-Z]{2}$/);
        expect(countryByIso2(p)?.mofPressAbbr, abbr).toBe(abbr);
      } else if (kbn === '1') expect(p, abbr).toBe(`mof:${abbr}`);
      else expect(p, abbr).toBe('WORLD');
    }
  });

  it.each(PRESS_FILES)('area names in the page titles of %s map like pg2', (file) => {
    const xml = read(file);
    const titles = [...xml.matchAll(/<pagemei>[^<]*\(\s*([^()<]+?)\s*\)<\/pagemei>/g)].map((m) => m[1]!)
      .filter((t) => t !== 'Country'); // "Value of Exports and Imports by Area ( Country )" names no area
    const got = Object.fromEntries([...new Set(titles)].map((t) => [t, partnerFromMofPressAbbr(`( ${t} )`)]));
    expect(got).toEqual({
      World: 'WORLD', WORLD: 'WORLD', USA: 'US', CHINA: 'CN', 'R KOREA': 'KR', RUSSIA: 'RU',
      EU: 'mof:(EU)', ASIA: 'mof:ASIA', ASEAN: 'mof:(ASEAN)', 'MIDDLE EAST': 'mof:MIDDLE EAST',
    });
  });

  it('Japanese names for every partner named in the sources and the article', () => {
    const want: Record<string, string> = {
      US: 'アメリカ合衆国', CN: '中華人民共和国', KR: '大韓民国', TW: '台湾', HK: '香港', VN: 'ベトナム', TH: 'タイ', SG: 'シンガポール',
      MY: 'マレーシア', PH: 'フィリピン', ID: 'インドネシア', IN: 'インド', GB: '英国', NL: 'オランダ', BE: 'ベルギー', FR: 'フランス',
      DE: 'ドイツ', CH: 'スイス', IT: 'イタリア', RU: 'ロシア', CA: 'カナダ', MX: 'メキシコ', BR: 'ブラジル', AU: 'オーストラリア',
      NZ: 'ニュージーランド', JP: '日本', SK: 'スロバキア', SE: 'スウェーデン',
    };
    expect(Object.fromEntries(Object.keys(want).map((k) => [k, countryByIso2(k)?.nameJa]))).toEqual(want);
    for (const c of allCountries().filter((x) => x.mofPressAbbr)) expect(c.nameJa, c.iso2).toBeTruthy();
  });
});

describe('CSV checks', () => {
  const good = 'iso2,iso3,name_en,name_ja,mof_code,census_code,mof_press_abbr\nUS,USA,United States,,304,1000,USA\n';
  it('parses quoted names and empty cells', () => {
    expect(parseCountriesCsv(`${good}CD,COD,"Congo, The Democratic Republic of the",,533,7660,\n`, 't.csv')[1])
      .toEqual({ iso2: 'CD', iso3: 'COD', nameEn: 'Congo, The Democratic Republic of the', nameJa: null, mofCode: '533', censusCode: '7660', mofPressAbbr: null });
  });
  it.each([
    ['a duplicate MOF code', `${good}CA,CAN,Canada,,304,1220,\n`, { line: 3, column: 'mof_code', value: '304' }],
    ['a census code losing its leading digits', `${good}XA,XAA,Test,,,12,\n`, { line: 3, column: 'census_code', value: '12' }],
    ['a lower-case ISO code', `${good}ca,CAN,Canada,,,1220,\n`, { line: 3, column: 'iso2', value: 'ca' }],
    ['a wrong header', good.replace('mof_code', 'mof'), { line: 1 }],
    ['a missing field', `${good}CA,CAN,Canada,,302,1220\n`, { line: 3 }],
  ])('rejects %s with file, line, column and value', (_what, text, where) => {
    let err: unknown;
    try { parseCountriesCsv(text, 't.csv'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).details).toMatchObject({ dataset: 'ref.country', file: 't.csv', ...where });
  });
});

describe('generated SQL', () => {
  it('sql/004_reference_rows.sql is what ref/countries.csv generates now', () => {
    expect(fs.readFileSync(REFERENCE_SQL_PATH, 'utf8')).toBe(generateReferenceSql(COUNTRIES_CSV_PATH));
  });
  it('escapes quotes and writes NULL for empty cells', () => {
    expect(sqlLiteral("Côte d'Ivoire")).toBe("'Côte d''Ivoire'");
    expect(sqlLiteral(null)).toBe('NULL');
    expect(sqlLiteral('a\\b')).toBe("'a\\b'");
  });
});

for (const backend of backends()) {
  describe(`ref.country on ${backend}`, () => {
    const t = useDb(backend);

    it('holds every row of ref/countries.csv after migrate: names in ref.country, codes as rows of ref.country_code', async () => {
      const rows = await t.db().query<Record<string, string | null>>('SELECT iso2, iso3, name_en, name_ja FROM ref.country ORDER BY iso2');
      expect(rows).toEqual(allCountries().map((c) => ({ iso2: c.iso2, iso3: c.iso3, name_en: c.nameEn, name_ja: c.nameJa })));
      expect(parseCountriesCsv(fs.readFileSync(COUNTRIES_CSV_PATH, 'utf8'), 'ref/countries.csv')).toHaveLength(rows.length);
      const codes = await t.db().query<{ code_system: string; code: string; iso2: string }>(
        'SELECT code_system, code, iso2 FROM ref.country_code ORDER BY code_system, code');
      expect(codes).toEqual(countryCodes().map((c) => ({ code_system: c.codeSystem, code: c.code, iso2: c.iso2 }))
        .sort((a, b) => (a.code_system === b.code_system ? (a.code < b.code ? -1 : 1) : a.code_system < b.code_system ? -1 : 1)));
      const systems = await t.db().query<{ code_system: string }>('SELECT code_system FROM ref.country_code_system ORDER BY 1');
      expect(systems.map((s) => s.code_system)).toEqual(Object.values(CODE_SYSTEMS).sort());
    });

    it('keeps the former columns in ref.country_source_codes', async () => {
      const rows = await t.db().query<Record<string, string | null>>(
        'SELECT iso2, iso3, name_en, name_ja, mof_code, census_code, mof_press_abbr FROM ref.country_source_codes ORDER BY iso2');
      expect(rows).toEqual(allCountries().map((c) => ({
        iso2: c.iso2, iso3: c.iso3, name_en: c.nameEn, name_ja: c.nameJa, mof_code: c.mofCode, census_code: c.censusCode, mof_press_abbr: c.mofPressAbbr,
      })));
    });

    it('answers the lookups the parsers make', async () => {
      const one = async (sql: string, p: string) => (await t.db().query<{ v: string }>(sql, [p]))[0]?.v;
      const code = `SELECT iso2 AS v FROM ref.country_code WHERE code_system = '%s' AND code = $1`;
      expect(await one(code.replace('%s', 'mof'), '304')).toBe('US');
      expect(await one(code.replace('%s', 'census'), '5880')).toBe('JP');
      expect(await one(code.replace('%s', 'mof_press'), 'R KOREA')).toBe('KR');
      expect(await one('SELECT iso2 AS v FROM ref.country_source_codes WHERE mof_code = $1', '304')).toBe('US');
      expect(await one('SELECT name_en AS v FROM ref.country WHERE iso2 = $1', 'CI')).toBe("Côte d'Ivoire");
      expect(await one('SELECT name_ja AS v FROM ref.country WHERE iso2 = $1', 'US')).toBe('アメリカ合衆国');
    });
  });
}
