/**
 * Code tables for declarations: countries/regions, 监管方式 (trade modes), 关区 (customs districts
 * around Shanghai), 运输方式, enterprise types, registration regions and credit ratings.
 * Facts from ../shared/domain/customs.md; these are seed/fixture tables — production replaces them
 * with the customs parameter tables (versioned, with effective dates).
 */

export interface Country {
  /** ISO 3166-1 alpha-3, as on declarations since 2018-08. */
  code: string;
  alpha2: string;
  numeric: string;
  /** H2000 3-digit customs country code where confirmed in customs.md, else null. */
  customs3: string | null;
  name: string;
  continent: '亚洲' | '非洲' | '欧洲' | '拉丁美洲' | '北美洲' | '大洋洲' | '其他';
  groups: readonly ('ASEAN' | 'EU' | 'RCEP' | 'GCC')[];
}

type C = [string, string, string, string | null, string, Country['continent'], string?];
const COUNTRY_ROWS: C[] = [
  ['CHN', 'CN', '156', '142', '中国', '亚洲'],
  ['HKG', 'HK', '344', '110', '中国香港', '亚洲'],
  ['MAC', 'MO', '446', '121', '中国澳门', '亚洲'],
  ['TWN', 'TW', '158', '143', '中国台湾', '亚洲'],
  ['JPN', 'JP', '392', '116', '日本', '亚洲', 'RCEP'],
  ['KOR', 'KR', '410', '133', '韩国', '亚洲', 'RCEP'],
  ['SGP', 'SG', '702', '132', '新加坡', '亚洲', 'ASEAN,RCEP'],
  ['MYS', 'MY', '458', null, '马来西亚', '亚洲', 'ASEAN,RCEP'],
  ['THA', 'TH', '764', null, '泰国', '亚洲', 'ASEAN,RCEP'],
  ['VNM', 'VN', '704', null, '越南', '亚洲', 'ASEAN,RCEP'],
  ['IDN', 'ID', '360', null, '印度尼西亚', '亚洲', 'ASEAN,RCEP'],
  ['PHL', 'PH', '608', null, '菲律宾', '亚洲', 'ASEAN,RCEP'],
  ['KHM', 'KH', '116', null, '柬埔寨', '亚洲', 'ASEAN,RCEP'],
  ['MMR', 'MM', '104', null, '缅甸', '亚洲', 'ASEAN,RCEP'],
  ['LAO', 'LA', '418', null, '老挝', '亚洲', 'ASEAN,RCEP'],
  ['BRN', 'BN', '096', null, '文莱', '亚洲', 'ASEAN,RCEP'],
  ['IND', 'IN', '356', null, '印度', '亚洲'],
  ['PAK', 'PK', '586', null, '巴基斯坦', '亚洲'],
  ['BGD', 'BD', '050', null, '孟加拉国', '亚洲'],
  ['LKA', 'LK', '144', null, '斯里兰卡', '亚洲'],
  ['KAZ', 'KZ', '398', null, '哈萨克斯坦', '亚洲'],
  ['MNG', 'MN', '496', null, '蒙古', '亚洲'],
  ['SAU', 'SA', '682', null, '沙特阿拉伯', '亚洲', 'GCC'],
  ['ARE', 'AE', '784', null, '阿联酋', '亚洲', 'GCC'],
  ['QAT', 'QA', '634', null, '卡塔尔', '亚洲', 'GCC'],
  ['KWT', 'KW', '414', null, '科威特', '亚洲', 'GCC'],
  ['OMN', 'OM', '512', null, '阿曼', '亚洲', 'GCC'],
  ['IRQ', 'IQ', '368', null, '伊拉克', '亚洲'],
  ['ISR', 'IL', '376', null, '以色列', '亚洲'],
  ['TUR', 'TR', '792', null, '土耳其', '亚洲'],
  ['ZAF', 'ZA', '710', null, '南非', '非洲'],
  ['NGA', 'NG', '566', null, '尼日利亚', '非洲'],
  ['EGY', 'EG', '818', null, '埃及', '非洲'],
  ['AGO', 'AO', '024', null, '安哥拉', '非洲'],
  ['KEN', 'KE', '404', null, '肯尼亚', '非洲'],
  ['ETH', 'ET', '231', null, '埃塞俄比亚', '非洲'],
  ['DZA', 'DZ', '012', null, '阿尔及利亚', '非洲'],
  ['MAR', 'MA', '504', null, '摩洛哥', '非洲'],
  ['GHA', 'GH', '288', null, '加纳', '非洲'],
  ['COD', 'CD', '180', null, '刚果（金）', '非洲'],
  ['GBR', 'GB', '826', '303', '英国', '欧洲'],
  ['DEU', 'DE', '276', '304', '德国', '欧洲', 'EU'],
  ['FRA', 'FR', '250', '305', '法国', '欧洲', 'EU'],
  ['ITA', 'IT', '380', null, '意大利', '欧洲', 'EU'],
  ['NLD', 'NL', '528', null, '荷兰', '欧洲', 'EU'],
  ['BEL', 'BE', '056', null, '比利时', '欧洲', 'EU'],
  ['ESP', 'ES', '724', null, '西班牙', '欧洲', 'EU'],
  ['PRT', 'PT', '620', null, '葡萄牙', '欧洲', 'EU'],
  ['IRL', 'IE', '372', null, '爱尔兰', '欧洲', 'EU'],
  ['SWE', 'SE', '752', null, '瑞典', '欧洲', 'EU'],
  ['DNK', 'DK', '208', null, '丹麦', '欧洲', 'EU'],
  ['FIN', 'FI', '246', null, '芬兰', '欧洲', 'EU'],
  ['AUT', 'AT', '040', null, '奥地利', '欧洲', 'EU'],
  ['POL', 'PL', '616', null, '波兰', '欧洲', 'EU'],
  ['CZE', 'CZ', '203', null, '捷克', '欧洲', 'EU'],
  ['HUN', 'HU', '348', null, '匈牙利', '欧洲', 'EU'],
  ['GRC', 'GR', '300', null, '希腊', '欧洲', 'EU'],
  ['CHE', 'CH', '756', null, '瑞士', '欧洲'],
  ['NOR', 'NO', '578', null, '挪威', '欧洲'],
  ['RUS', 'RU', '643', null, '俄罗斯', '欧洲'],
  ['UKR', 'UA', '804', null, '乌克兰', '欧洲'],
  ['BRA', 'BR', '076', null, '巴西', '拉丁美洲'],
  ['MEX', 'MX', '484', null, '墨西哥', '拉丁美洲'],
  ['CHL', 'CL', '152', null, '智利', '拉丁美洲'],
  ['PER', 'PE', '604', null, '秘鲁', '拉丁美洲'],
  ['ARG', 'AR', '032', null, '阿根廷', '拉丁美洲'],
  ['COL', 'CO', '170', null, '哥伦比亚', '拉丁美洲'],
  ['PAN', 'PA', '591', null, '巴拿马', '拉丁美洲'],
  ['USA', 'US', '840', '502', '美国', '北美洲'],
  ['CAN', 'CA', '124', '501', '加拿大', '北美洲'],
  ['AUS', 'AU', '036', '601', '澳大利亚', '大洋洲', 'RCEP'],
  ['NZL', 'NZ', '554', '609', '新西兰', '大洋洲', 'RCEP'],
  ['PNG', 'PG', '598', null, '巴布亚新几内亚', '大洋洲'],
  ['ZZZ', 'ZZ', '999', '701', '国(地)别不详', '其他'],
];

export const COUNTRIES: readonly Country[] = COUNTRY_ROWS.map(([code, alpha2, numeric, customs3, name, continent, groups]) => ({
  code,
  alpha2,
  numeric,
  customs3,
  name,
  continent,
  groups: (groups ? groups.split(',') : []) as Country['groups'],
}));

export interface TradeMode {
  code: string;
  name: string;
  /** Statistical group in releases: 一般贸易 / 加工贸易 / 保税物流 / 其他贸易. */
  group: 'general' | 'processing' | 'bonded' | 'other';
}

export const TRADE_MODE_GROUPS: Readonly<Record<TradeMode['group'], string>> = {
  general: '一般贸易',
  processing: '加工贸易',
  bonded: '保税物流',
  other: '其他贸易',
};

type T = [string, string, TradeMode['group']];
const TRADE_MODE_ROWS: T[] = [
  ['0110', '一般贸易', 'general'], ['0130', '易货贸易', 'other'], ['0139', '旅游购物商品', 'other'],
  ['0214', '来料加工', 'processing'], ['0245', '来料料件内销', 'processing'], ['0255', '来料深加工', 'processing'], ['0258', '来料余料结转', 'processing'],
  ['0265', '来料料件复出', 'processing'], ['0300', '来料料件退换', 'processing'], ['0320', '不作价设备', 'processing'], ['0345', '来料成品减免', 'processing'],
  ['0420', '加工贸易设备', 'processing'], ['0444', '保区进料成品', 'processing'], ['0445', '保区来料成品', 'processing'], ['0446', '加工设备内销', 'processing'],
  ['0544', '保区进料料件', 'processing'], ['0545', '保区来料料件', 'processing'],
  ['0615', '进料对口', 'processing'], ['0642', '进料以产顶进', 'processing'], ['0644', '进料料件内销', 'processing'], ['0654', '进料深加工', 'processing'],
  ['0657', '进料余料结转', 'processing'], ['0664', '进料料件复出', 'processing'], ['0700', '进料料件退换', 'processing'], ['0715', '进料非对口', 'processing'],
  ['0744', '进料成品减免', 'processing'], ['0815', '低值辅料', 'processing'], ['0844', '进料边角料内销', 'processing'], ['0845', '来料边角料内销', 'processing'],
  ['1039', '市场采购', 'general'], ['1139', '国轮油物料', 'other'], ['1200', '保税间货物', 'bonded'], ['1210', '保税电商', 'general'], ['1215', '保税工厂', 'bonded'],
  ['1233', '保税仓库货物', 'bonded'], ['1234', '保税区仓储转口', 'bonded'], ['1239', '保税电商A', 'general'], ['1300', '修理物品', 'other'], ['1427', '出料加工', 'processing'],
  ['1500', '租赁不满一年', 'other'], ['1523', '租赁贸易', 'other'], ['1616', '寄售代销', 'other'], ['1741', '免税品', 'other'], ['2025', '合资合作设备', 'other'],
  ['2225', '外资设备物品', 'other'], ['2600', '暂时进出货物', 'other'], ['2700', '展览品', 'other'], ['3010', '货样广告品', 'other'], ['3100', '无代价抵偿', 'other'],
  ['3339', '其他进出口免费', 'other'], ['3511', '援助物资', 'other'], ['3612', '捐赠物资', 'other'], ['4019', '边境小额', 'other'], ['4500', '直接退运', 'other'],
  ['4561', '退运货物', 'other'], ['5000', '料件进出区', 'bonded'], ['5010', '特殊区域研发货物', 'bonded'], ['5014', '区内来料加工货物', 'processing'],
  ['5015', '区内进料加工货物', 'processing'], ['5033', '区内仓储货物', 'bonded'], ['5034', '区内物流货物', 'bonded'], ['5100', '成品进出区', 'bonded'],
  ['5300', '设备进出区', 'bonded'], ['5335', '境外设备进区', 'bonded'], ['6033', '物流中心进出境货物', 'bonded'], ['9610', '电子商务', 'general'],
  ['9639', '海关处理货物', 'other'], ['9700', '后续补税', 'other'], ['9710', '跨境电商B2B直接出口', 'general'], ['9739', '其他贸易', 'other'],
  ['9800', '租赁征税', 'other'], ['9810', '跨境电商出口海外仓', 'general'], ['9900', '其他', 'other'],
];
export const TRADE_MODES: readonly TradeMode[] = TRADE_MODE_ROWS.map(([code, name, group]) => ({ code, name, group }));

export interface District {
  code: string;
  name: string;
}
/** 关区代码 around Shanghai (customs.md §1.5; test fixtures — load the current table in production). */
export const DISTRICTS: readonly District[] = [
  ['2200', '上海海关'], ['2201', '浦江海关'], ['2202', '吴淞海关'], ['2203', '虹桥机场海关'], ['2204', '闵行海关（经济技术开发区）'],
  ['2205', '驻车站办事处'], ['2206', '驻邮局办事处'], ['2209', '浦江龙吴'], ['2210', '浦东海关'], ['2212', '奉贤海关'], ['2213', '莘庄海关'],
  ['2216', '浦东机场综保区'], ['2217', '嘉定海关'], ['2218', '外高桥保税区'], ['2220', '金山海关'], ['2221', '松江海关'], ['2223', '驻南汇办事处'],
  ['2224', '驻崇明办事处'], ['2225', '外港海关'], ['2233', '浦东机场海关'], ['2241', '现场业务一处'], ['2242', '现场业务二处'], ['2243', '现场业务三处'],
  ['2244', '洋山港区'], ['2248', '洋山海关'], ['2249', '洋山特殊综合保税区'],
].map(([code, name]) => ({ code: code!, name: name! }));

export const TRANSPORT_MODES: readonly { code: string; name: string; virtual: boolean }[] = [
  ['0', '非保税区', true], ['1', '监管仓库', true], ['2', '水路运输', false], ['3', '铁路运输', false], ['4', '公路运输', false],
  ['5', '航空运输', false], ['6', '邮件运输', false], ['7', '保税区', true], ['8', '保税仓库', true], ['9', '其它方式运输', false],
  ['G', '固定设施运输', false], ['H', '边境特殊海关作业区', true], ['L', '旅客携带', false], ['T', '综合实验区', true], ['W', '物流中心', true],
  ['X', '物流园区', true], ['Y', '保税港区', true], ['Z', '出口加工区', true],
].map(([code, name, virtual]) => ({ code: code as string, name: name as string, virtual: virtual as boolean }));

/** Enterprise economic type (customs code pos 6) and the statistical grouping 企业性质. */
export const ENT_TYPES: readonly { code: string; name: string; group: 'state' | 'foreign' | 'private' | 'other' }[] = [
  { code: '1', name: '国有企业', group: 'state' },
  { code: '2', name: '中外合作企业', group: 'foreign' },
  { code: '3', name: '中外合资企业', group: 'foreign' },
  { code: '4', name: '外商独资企业', group: 'foreign' },
  { code: '5', name: '集体企业', group: 'private' },
  { code: '6', name: '私营企业', group: 'private' },
  { code: '7', name: '个体工商户', group: 'private' },
  { code: '8', name: '报关企业', group: 'other' },
  { code: '9', name: '其他', group: 'other' },
];
export const ENT_TYPE_GROUPS: Readonly<Record<string, string>> = { state: '国有企业', foreign: '外商投资企业', private: '民营企业', other: '其他' };

/** Registration regions (GB/T 2260): Shanghai's districts plus a few neighbouring cities. */
export const REGIONS: readonly { code: string; name: string }[] = [
  ['310101', '上海市黄浦区'], ['310104', '上海市徐汇区'], ['310105', '上海市长宁区'], ['310106', '上海市静安区'], ['310107', '上海市普陀区'],
  ['310109', '上海市虹口区'], ['310110', '上海市杨浦区'], ['310112', '上海市闵行区'], ['310113', '上海市宝山区'], ['310114', '上海市嘉定区'],
  ['310115', '上海市浦东新区'], ['310116', '上海市金山区'], ['310117', '上海市松江区'], ['310118', '上海市青浦区'], ['310120', '上海市奉贤区'],
  ['310151', '上海市崇明区'], ['320500', '江苏省苏州市'], ['320200', '江苏省无锡市'], ['330200', '浙江省宁波市'], ['330100', '浙江省杭州市'],
].map(([code, name]) => ({ code: code!, name: name! }));

/** 海关信用等级 under 海关总署令第251号: 高级认证企业 (AEO), 常规管理企业, 失信企业. */
export const CREDIT_RATINGS: readonly { code: string; name: string }[] = [
  { code: 'ADV', name: '高级认证企业' },
  { code: 'REG', name: '常规管理企业' },
  { code: 'DIS', name: '失信企业' },
];
