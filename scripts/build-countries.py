# Builder for ref/countries.csv from the real lists in ../shared/data and Debian iso-codes (python3 scripts/build-countries.py > ref/countries.csv); the CSV is the reference.
import csv, json, re, io, sys
iso = {x['alpha_2']: x for x in json.load(open('/usr/share/iso-codes/json/iso_3166-1.json'))['3166-1']}

# Census Schedule C
census = {}  # iso2 -> code
census_rows = []
for line in open('ref/sources/schedule_c_country.txt', encoding='ascii'):
    line = line.rstrip('\n').rstrip()
    m = re.match(r'^(\d{4})\s*\|', line)
    if not m: continue
    code = m.group(1)
    tail = line[-2:]
    if not re.fullmatch(r'[A-Z]{2}', tail):
        print('no iso', line, file=sys.stderr); continue
    census_rows.append((code, tail, line))
CENSUS_ALIAS = {'KV': 'XK'}          # Kosovo: Census uses KV; ISO has none, XK is the user-assigned code in common use
CENSUS_SKIP = {'GZ', 'WE'}           # Gaza Strip / West Bank: not ISO codes; ISO PS covers both, one census code can't stand for it
for code, c, line in census_rows:
    if c in CENSUS_SKIP: continue
    c = CENSUS_ALIAS.get(c, c)
    assert c not in census, (c, code)
    census[c] = code

# MOF codes: liapunov list + mof.md section 4
MOF_ISO = dict(x.split(':') for x in '''103:KR 104:KP 105:CN 106:TW 107:MN 108:HK 110:VN 111:TH 112:SG 113:MY 116:BN 117:PH 118:ID 120:KH 121:LA 122:MM 123:IN 124:PK 125:LK 126:MV 127:BD 128:TL 129:MO 130:AF 131:NP 132:BT 133:IR 134:IQ 135:BH 137:SA 138:KW 140:QA 141:OM 143:IL 144:JO 145:SY 146:LB 147:AE 149:YE 150:AZ 151:AM 152:UZ 153:KZ 154:KG 155:TJ 156:TM 157:GE 158:PS
201:IS 202:NO 203:SE 204:DK 205:GB 206:IE 207:NL 208:BE 209:LU 210:FR 211:MC 212:AD 213:DE 215:CH 217:PT 218:ES 219:GI 220:IT 221:MT 222:FI 223:PL 224:RU 225:AT 227:HU 228:RS 229:AL 230:GR 231:RO 232:BG 233:CY 234:TR 235:EE 236:LV 237:LT 238:UA 239:BY 240:MD 241:HR 242:SI 243:BA 244:MK 245:CZ 246:SK 247:ME 248:XK 249:FO 250:VA
301:GL 302:CA 303:PM 304:US 305:MX 306:GT 307:HN 308:BZ 309:SV 310:NI 311:CR 312:PA 314:BM 315:BS 316:JM 317:TC 319:BB 320:TT 321:CU 322:HT 323:DO 324:PR 325:VI 328:KY 329:GD 330:LC 331:AG 332:VG 333:DM 334:MS 335:KN 336:VC 337:AI 338:BL
401:CO 402:VE 403:GY 404:SR 405:GF 406:EC 407:PE 408:BO 409:CL 410:BR 411:PY 412:UY 413:AR 414:FK
501:MA 503:DZ 504:TN 505:LY 506:EG 507:SD 508:EH 509:MR 510:SN 511:GM 512:GW 513:GN 514:SL 515:LR 516:CI 517:GH 518:TG 519:BJ 520:ML 521:BF 522:CV 524:NG 525:NE 526:RW 527:CM 528:TD 529:CF 530:GQ 531:GA 532:CG 533:CD 534:BI 535:AO 536:ST 537:SH 538:ET 539:DJ 540:SO 541:KE 542:UG 543:TZ 544:SC 545:MZ 546:MG 547:MU 548:RE 549:ZW 550:NA 551:ZA 552:LS 553:MW 554:ZM 555:BW 556:SZ 557:IO 558:KM 559:ER 560:SS
601:AU 602:PG 606:NZ 607:CK 608:TK 609:NU 610:WS 611:VU 612:FJ 613:SB 614:TO 615:KI 616:PN 617:NR 618:NC 619:PF 620:GU 621:AS 622:UM 624:TV 625:MH 626:FM 627:MP 628:PW'''.split())
# MOF codes that are not one ISO country: stay mof3:<code>
MOF_NO_COUNTRY = {'216','326','327','415','502','523','605','701','702','703'}
AUTH = dict(x.split(':') for x in '103:KR 105:CN 106:TW 108:HK 110:VN 111:TH 112:SG 113:MY 117:PH 118:ID 123:IN 205:GB 207:NL 208:BE 210:FR 213:DE 215:CH 220:IT 224:RU 302:CA 304:US 305:MX 410:BR 601:AU 606:NZ'.split())
lia = list(csv.DictReader(open('ref/sources/liapunov_JapanTrade_Countries.csv', newline='')))
lia_codes = {r['Code'] for r in lia}
for r in lia:
    assert r['Code'] in MOF_ISO or r['Code'] in MOF_NO_COUNTRY, r
for k in MOF_ISO: assert k in lia_codes, k
for k, v in AUTH.items():
    if MOF_ISO.get(k) != v: print('CONFLICT', k, MOF_ISO.get(k), v, file=sys.stderr); MOF_ISO[k] = v
mof = {}
for k, v in MOF_ISO.items():
    assert v not in mof, (v, k); mof[v] = k

PRESS = dict(x.split(':') for x in 'CHINA:CN|HG KONG:HK|TAIWAN:TW|R KOREA:KR|SNGAPOR:SG|THAILND:TH|MALYSIA:MY|INDNSIA:ID|PHILPIN:PH|VIETNAM:VN|INDIA:IN|AUSTRAL:AU|NEWZELD:NZ|USA:US|CANADA:CA|BRAZIL:BR|MEXICO:MX|CHILE:CL|GERMANY:DE|U KING:GB|FRANCE:FR|NETHLDS:NL|ITALY:IT|BELGIUM:BE|SWITZLD:CH|SWEDEN:SE|IRELAND:IE|SPAIN:ES|RUSSIA:RU|U ARB E:AE|SU ARAB:SA|KUWAIT:KW|QATAR:QA|OMAN:OM|IRAN:IR|S AFRCA:ZA'.split('|'))
press = {v: k for k, v in PRESS.items()}
assert len(press) == len(PRESS)

JA = dict(x.split(':') for x in '''JP:日本 US:アメリカ合衆国 CN:中華人民共和国 KR:大韓民国 KP:北朝鮮 TW:台湾 HK:香港 MO:マカオ MN:モンゴル VN:ベトナム TH:タイ SG:シンガポール MY:マレーシア BN:ブルネイ PH:フィリピン ID:インドネシア KH:カンボジア LA:ラオス MM:ミャンマー IN:インド PK:パキスタン LK:スリランカ BD:バングラデシュ NP:ネパール
IR:イラン IQ:イラク BH:バーレーン SA:サウジアラビア KW:クウェート QA:カタール OM:オマーン IL:イスラエル JO:ヨルダン AE:アラブ首長国連邦 TR:トルコ
GB:英国 IE:アイルランド NL:オランダ BE:ベルギー LU:ルクセンブルク FR:フランス DE:ドイツ CH:スイス AT:オーストリア IT:イタリア ES:スペイン PT:ポルトガル SE:スウェーデン NO:ノルウェー DK:デンマーク FI:フィンランド PL:ポーランド CZ:チェコ SK:スロバキア HU:ハンガリー RO:ルーマニア RU:ロシア UA:ウクライナ KZ:カザフスタン
CA:カナダ MX:メキシコ BR:ブラジル AR:アルゼンチン CL:チリ PE:ペルー CO:コロンビア
EG:エジプト NG:ナイジェリア KE:ケニア ZA:南アフリカ共和国
AU:オーストラリア NZ:ニュージーランド PG:パプアニューギニア FJ:フィジー'''.split())

def name_en(c):
    if c == 'XK': return 'Kosovo'
    x = iso[c]; return x.get('common_name', x['name'])
def iso3(c):
    return 'XKX' if c == 'XK' else iso[c]['alpha_3']

codes = set(census) | set(mof) | {'JP'}
for c in codes: assert c == 'XK' or c in iso, c
for c in PRESS.values(): assert c in codes
for c in JA: assert c in codes, c
out = io.StringIO()
w = csv.writer(out, lineterminator='\n')
w.writerow(['iso2','iso3','name_en','name_ja','mof_code','census_code','mof_press_abbr'])
for c in sorted(codes):
    w.writerow([c, iso3(c), name_en(c), JA.get(c, ''), mof.get(c, ''), census.get(c, ''), press.get(c, '')])
open('/work/main/ref/countries.csv', 'w', encoding='utf-8', newline='').write(out.getvalue())
print('rows', len(codes), 'census-only', len(set(census)-set(mof)), 'mof-only', sorted(set(mof)-set(census)), file=sys.stderr)
