module.exports = {
  projectName: 'wxsocket-taro-check',
  date: '2026-12-02',
  designWidth: 750,
  deviceRatio: { 640: 2.34 / 2, 750: 1, 828: 1.81 / 2 },
  sourceRoot: 'src',
  outputRoot: 'dist',
  plugins: ['wxsocket/taro'],
  framework: 'react',
  compiler: 'webpack5',
  mini: {},
};
