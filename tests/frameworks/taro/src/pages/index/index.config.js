export default {
  navigationBarTitleText: 'wxsocket',
};
